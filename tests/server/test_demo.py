"""`guichet demo` loads its accounts through the services, once."""

from __future__ import annotations

from server.demo import DEMO_PASSWORD, load_demo
from server.runtime import Runtime
from tests.helpers.flows import SIGN_IN, VIEWER
from tests.helpers.graphql import GraphQLClient, codes


async def test_demo_accounts_sign_in_and_loading_twice_changes_nothing(
    runtime: Runtime, cnaps: GraphQLClient, cnsa: GraphQLClient
) -> None:
    first = await load_demo(runtime)
    assert await load_demo(runtime) == first
    assert any(line.startswith("cnaps:") for line in first)
    assert any(line.startswith("cnsa:") for line in first)
    camille = await cnaps(
        SIGN_IN, {"email": "camille.martin@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    token = camille["signIn"]["accessToken"]
    assert (await cnaps(VIEWER, token=token))["viewer"]["person"]["familyName"] == "Martin"
    karim = await cnaps(
        SIGN_IN, {"email": "karim.benali@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    assert codes(karim["signIn"]) == ["EMAIL_NOT_CONFIRMED"]
    yamile = await cnsa(
        SIGN_IN, {"email": "yamile.zemirli@demo.guichet.example.org", "password": DEMO_PASSWORD}
    )
    assert yamile["signIn"]["mustChangePassword"] is True
