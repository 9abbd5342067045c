"""The depth, alias, cost and size limits answer like every other refusal: a code in
`extensions.code` and a French message, English when Accept-Language prefers it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.graphql import GraphQLClient

ENGLISH = "en-GB,en;q=0.9,fr;q=0.5"


def _deep(levels: int) -> str:
    """An organisation's establishments' organisation's…: `levels` nested object fields."""
    hop = "organisation { establishments(first: 1) { edges { node { "
    hops = (levels - 1) // 4
    inner = "id" if (levels - 1) % 4 == 0 else ""
    assert inner, "levels must be 1 + 4k"
    body = "establishments(first: 1) { edges { node { " + hop * (hops - 1) + "organisation { id"
    closing = " }" * (4 * (hops - 1) + 4)
    return '{ node(id: "x") { ... on Organisation { ' + body + closing + " } } }"


ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
# The fragment-spread bypass: 10 aliases in F, 8 in T spread 4 times (+4 aliased fields).
FRAGMENT_SPREAD = (
    "{ ...F x: tenant { ...T } y: tenant { ...T } z: tenant { ...T } w: tenant { ...T } } "
    "fragment F on Query { " + " ".join(f"f{i}: __typename" for i in range(10)) + " } "
    "fragment T on Tenant { " + " ".join(f"s{i}: slug" for i in range(8)) + " }"
)
PAGE = "edges { node { id createdAt lastUsedAt expiresAt revokedAt userAgent ipAddress } }"
COSTLY = (
    "{ viewer { account { "
    + " ".join(f"s{i}: sessions(first: 100) {{ {PAGE} }}" for i in range(6))
    + " } } }"
)
LARGE = "{ " + "__typename " * 2000 + "}"

CASES: dict[str, tuple[str, str, dict[str, Any], str, str]] = {
    # name: (document, code, extensions, French message, English message)
    "depth": (
        _deep(13),
        "QUERY_TOO_DEEP",
        {"max": 12},
        "Requête trop profonde : au plus 12 niveaux imbriqués.",
        "Query too deep: at most 12 nested levels.",
    ),
    "aliases": (
        ALIASES,
        "TOO_MANY_ALIASES",
        {"count": 31, "max": 30},
        "Trop d'alias : 31 pour un maximum de 30",
        "Too many aliases: 31 for a maximum of 30",
    ),
    "fragment spread": (
        FRAGMENT_SPREAD,
        "TOO_MANY_ALIASES",
        {"count": 46, "max": 30},
        "Trop d'alias : 46 pour un maximum de 30",
        "Too many aliases: 46 for a maximum of 30",
    ),
    "cost": (
        COSTLY,
        "QUERY_TOO_COSTLY",
        {"max": 5000},
        "Requête trop coûteuse : ",
        "Query too costly: ",
    ),
    "tokens": (
        LARGE,
        "QUERY_TOO_LARGE",
        {"max": 2000},
        "Requête trop longue : plus de 2000 symboles (tokens).",
        "Query too large: more than 2000 tokens.",
    ),
    # Under the token limit, yet more than graphql-core's validation budget (found by the test
    # below: it answered "Validation aborted." without a code).
    "validation budget": (
        "{ " + "__typename " * 1990 + "}",
        "QUERY_TOO_COMPLEX",
        {},
        "Requête trop complexe à valider",
        "Query too complex to validate",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_limit_refusals_speak_french_then_english(cnaps: GraphQLClient, case: str) -> None:
    document, code, extensions, french, english = CASES[case]
    for lang, message in ((None, french), (ENGLISH, english)):
        response = await cnaps.post(document, lang=lang)
        body = response.json()
        assert "data" not in body or body["data"] is None, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == code, error
        assert error["extensions"].items() >= extensions.items(), error
        assert error["message"].startswith(message), error
        assert "Traceback" not in response.text


async def test_just_under_the_limits_passes(cnaps: GraphQLClient) -> None:
    """The same shapes one step below each limit are answered (the refusals are not blanket)."""
    deep = await cnaps.post(_deep(9))
    assert "errors" not in deep.json(), deep.json()
    thirty = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    assert "errors" not in (await cnaps.post(thirty)).json()
    assert "errors" not in (await cnaps.post("{ " + "__typename " * 400 + "}")).json()
