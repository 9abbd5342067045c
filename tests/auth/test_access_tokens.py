"""Access tokens verified once per process: the cached signature never skips a claim check.

A token's signature is checked the first time its text is seen; every later call still
checks its time, issuer, audience and tenant, and any other text (one character changed)
is verified afresh."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from auth.account import tokens as tokens_module
from auth.account.tokens import AccessTokens, InvalidAccessToken, SigningKeys, generate_key_set

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)


@pytest.fixture
def tokens() -> AccessTokens:
    return AccessTokens(SigningKeys(generate_key_set()), "https://guichet.example", TTL)


def issue(tokens: AccessTokens, tenant: str = "cnaps") -> tuple[str, uuid.UUID]:
    account = uuid.uuid4()
    token, _ = tokens.issue(tenant, account, uuid.uuid4(), NOW)
    return token, account


def test_a_cached_token_is_still_refused_once_expired(tokens: AccessTokens) -> None:
    token, account = issue(tokens)
    assert tokens.verify(token, "cnaps", NOW).account_id == account
    last_second = NOW + TTL - timedelta(seconds=1)
    assert tokens.verify(token, "cnaps", last_second).account_id == account  # cached
    with pytest.raises(InvalidAccessToken):
        tokens.verify(token, "cnaps", NOW + TTL + timedelta(seconds=1))


def test_a_cached_token_is_still_refused_by_another_tenant(tokens: AccessTokens) -> None:
    token, _ = issue(tokens)
    tokens.verify(token, "cnaps", NOW)
    with pytest.raises(InvalidAccessToken):
        tokens.verify(token, "cnsa", NOW)


def test_a_forged_signature_is_checked_even_beside_a_cached_token(tokens: AccessTokens) -> None:
    token, _ = issue(tokens)
    tokens.verify(token, "cnaps", NOW)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(InvalidAccessToken):
        tokens.verify(forged, "cnaps", NOW)
    other = AccessTokens(SigningKeys(generate_key_set()), "https://guichet.example", TTL)
    with pytest.raises(InvalidAccessToken):  # another process's keys: its own cache
        other.verify(token, "cnaps", NOW)


def test_the_cache_is_bounded(tokens: AccessTokens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "VERIFIED_CACHE_SIZE", 2)
    issued = [issue(tokens) for _ in range(3)]
    for token, account in issued:
        assert tokens.verify(token, "cnaps", NOW).account_id == account
    assert len(tokens._verified) == 2
    token, account = issued[0]  # dropped from the cache: verified again, still good
    assert tokens.verify(token, "cnaps", NOW).account_id == account
