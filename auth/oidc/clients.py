"""The tenant's OpenID Connect clients: its applications that carry `oidc` data in the pack.
A confidential client's secret comes from the settings (`GUICHET_OIDC_CLIENT_SECRETS`)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from authlib.oauth2.rfc6749.errors import InvalidClientError

from tenants.packs.base import Application, OidcClient, TenantPack


@dataclass(frozen=True)
class Client:
    application: Application
    oidc: OidcClient

    @property
    def client_id(self) -> str:
        return self.oidc.client_id


def clients_of(pack: TenantPack) -> dict[str, Client]:
    """The pack's clients by client id (none: the tenant is no OpenID provider)."""
    return {
        application.oidc.client_id: Client(application, application.oidc)
        for application in pack.applications
        if application.oidc is not None
    }


def offers_oidc(pack: TenantPack) -> bool:
    return bool(clients_of(pack))


def find_client(pack: TenantPack, client_id: str | None) -> Client | None:
    return clients_of(pack).get(client_id or "")


def secret_key(pack: TenantPack, client_id: str) -> str:
    return f"{pack.slug}/{client_id}"


def authenticate_client(
    pack: TenantPack,
    secrets: Mapping[str, str],
    client_id: str | None,
    client_secret: str | None,
) -> Client:
    """The client calling the token or revocation endpoint. A public client names itself
    (`none`: PKCE stands for its secret); a confidential one proves its secret (basic or
    post), and one without a configured secret cannot authenticate at all."""
    client = find_client(pack, client_id)
    if client is None:
        raise InvalidClientError(description="unknown client")
    if not client.oidc.confidential:
        if client_secret:
            raise InvalidClientError(description="a public client has no secret")
        return client
    expected = secrets.get(secret_key(pack, client.client_id))
    if not expected or not client_secret:
        raise InvalidClientError(description="client authentication failed")
    if not hmac.compare_digest(expected.encode("utf-8"), client_secret.encode("utf-8")):
        raise InvalidClientError(description="client authentication failed")
    return client
