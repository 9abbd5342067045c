"""Argon2id password hashing (argon2-cffi), run off the event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class HashParams:
    """Defaults: RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


class PasswordHasher:
    def __init__(self, params: HashParams | None = None) -> None:
        self.params = params or HashParams()
        self._argon = _Argon2(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_cost_kib,
            parallelism=self.params.parallelism,
            type=Type.ID,
        )
        self._dummy = self._argon.hash("guichet-dummy-password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not an account exists (`None` checks a dummy hash)."""
        target = password_hash or self._dummy
        try:
            ok = await asyncio.to_thread(self._argon.verify, target, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon.check_needs_rehash(password_hash)
