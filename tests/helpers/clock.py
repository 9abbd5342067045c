"""A clock that runs like the real one but can be sent forward (and back to now between
tests: see the autouse fixture in tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class TestClock:
    __test__ = False

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def reset(self) -> None:
        self.offset = timedelta()
