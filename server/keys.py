"""Access-token signing keys: from a setting in production, generated once in the embedded
default, never regenerated silently (every token would die)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from auth.account.tokens import SigningKeys, generate_key_set, rotate_key_set
from server.settings import Settings

log = logging.getLogger("guichet.keys")


class KeysUnavailable(RuntimeError):
    pass


def key_file(settings: Settings) -> Path:
    if settings.signing_keys and not settings.signing_keys.lstrip().startswith("{"):
        return Path(settings.signing_keys)
    return settings.data_dir / "signing-keys.json"


def load_signing_keys(settings: Settings) -> SigningKeys:
    value = settings.signing_keys.strip()
    if value.startswith("{"):
        return SigningKeys.from_json(value)
    path = key_file(settings)
    if path.exists():
        return SigningKeys.from_json(path.read_text(encoding="utf-8"))
    if settings.production or value:
        raise KeysUnavailable(
            f"no signing keys at {path}: set GUICHET_SIGNING_KEYS (generate a set with "
            "`guichet keys generate`)"
        )
    _write(path, generate_key_set())
    log.warning("generated new signing keys", extra={"path": str(path)})
    return SigningKeys.from_json(path.read_text(encoding="utf-8"))


def rotate(settings: Settings) -> Path:
    path = key_file(settings)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"keys": []}
    _write(path, rotate_key_set(current))
    return path


def _write(path: Path, jwks: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(jwks, fh, indent=2)
    tmp.replace(path)
