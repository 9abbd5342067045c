"""Time is injected: services read a `Clock`, tests move a `FrozenClock`."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, at: datetime | None = None) -> None:
        self._at = at or datetime.now(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = at


def seconds_until(delta: timedelta) -> int:
    """Whole seconds to wait, rounded up, at least one (a `retry_after` for people)."""
    return max(1, math.ceil(delta.total_seconds()))
