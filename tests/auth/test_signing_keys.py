"""The signing key set: private EC keys only, the first one signs, rotation keeps the old."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey, RSAKey

from auth.account.tokens import SigningKeys, generate_key_set, rotate_key_set


def test_the_first_private_key_signs_and_rotation_puts_a_new_one_in_front() -> None:
    first = generate_key_set()
    assert SigningKeys(first).current.kid == first["keys"][0]["kid"]
    rotated = rotate_key_set(first)
    keys = SigningKeys(rotated)
    assert keys.current.kid == rotated["keys"][0]["kid"] != first["keys"][0]["kid"]
    assert [key["kid"] for key in rotated["keys"]][1:] == [first["keys"][0]["kid"]]


@pytest.mark.parametrize(
    "jwks",
    [
        {"keys": []},
        {},
        # a public half cannot sign
        {"keys": [ECKey.generate_key("P-256", auto_kid=True).as_dict(private=False)]},
        # an RSA key is not what ES256 signs with
        {"keys": [RSAKey.generate_key(2048, auto_kid=True).as_dict(private=True)]},
        # one bad key spoils the set, even behind a good one
        {
            "keys": [
                generate_key_set()["keys"][0],
                ECKey.generate_key("P-256", auto_kid=True).as_dict(private=False),
            ]
        },
    ],
    ids=["empty", "no keys", "public EC", "RSA", "good then public"],
)
def test_a_set_without_only_private_ec_keys_is_refused(jwks: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="signing key"):
        SigningKeys(jwks)
