"""Time Argon2id hashing and verifying (auth.account.passwords), production and test parameters.

Run: .venv/bin/python bench/password_hash.py [--runs 20]

Prints median / p95 / min / max milliseconds of `PasswordHasher.hash` and `PasswordHasher.verify`
(each call runs in a worker thread, as in the server). Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from auth.account.passwords import HashParams, PasswordHasher

PASSWORD = "Bench-Phrase-2026!"

PROFILES: tuple[tuple[str, HashParams], ...] = (
    ("production", HashParams()),
    ("tests", HashParams(time_cost=1, memory_cost_kib=8192, parallelism=1)),
)


@dataclass(frozen=True)
class Stats:
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def summarize(samples_ms: list[float]) -> Stats:
    return Stats(
        median_ms=statistics.median(samples_ms),
        p95_ms=percentile(samples_ms, 0.95),
        min_ms=min(samples_ms),
        max_ms=max(samples_ms),
    )


async def time_calls(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def bench_profile(name: str, params: HashParams, runs: int) -> None:
    hasher = PasswordHasher(params)  # the constructor hashes a dummy password: also a warm-up
    stored = await hasher.hash(PASSWORD)
    if not await hasher.verify(stored, PASSWORD):
        raise SystemExit(f"{name}: verify() refused the right password")
    if await hasher.verify(stored, PASSWORD + "x"):
        raise SystemExit(f"{name}: verify() accepted a wrong password")

    hash_stats = summarize(await time_calls(lambda: hasher.hash(PASSWORD), runs))
    verify_stats = summarize(await time_calls(lambda: hasher.verify(stored, PASSWORD), runs))

    print(
        f"{name}: time_cost={params.time_cost} memory_cost_kib={params.memory_cost_kib} "
        f"parallelism={params.parallelism} ({runs} runs)"
    )
    for label, stats in (("hash", hash_stats), ("verify", verify_stats)):
        print(
            f"  {label:<6} median {stats.median_ms:8.2f} ms   p95 {stats.p95_ms:8.2f} ms   "
            f"min {stats.min_ms:8.2f} ms   max {stats.max_ms:8.2f} ms"
        )


async def main_async(runs: int) -> None:
    print(
        f"Argon2id via auth.account.passwords.PasswordHasher — {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPU(s)"
    )
    for name, params in PROFILES:
        await bench_profile(name, params, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="timed calls per operation")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    asyncio.run(main_async(args.runs))


if __name__ == "__main__":
    main()
