"""`guichet finess import` on a synthetic extraction of N établissements (the public file's
exact format): wall time and peak memory of the command, for a first import (inserts) and a
second one of the same file (updates), at two sizes to show that memory stays flat.

    .venv/bin/python bench/finess_import.py --database postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/finess_import.py --lines 100000 --lines 10000

The database is migrated first (as its owner); the command runs as a separate process, as
an operator would run it; its peak resident memory comes from `getrusage(RUSAGE_CHILDREN)`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tenants.identifiers import luhn_valid  # noqa: E402

TOWNS = ("75012 PARIS 12E ARRONDISSEMENT", "44000 NANTES", "69003 LYON", "13008 MARSEILLE")


def finess_numbers(count: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < count:
        base = f"{uuid.uuid4().int % 10**8:08d}"
        for check in range(10):
            if luhn_valid(base + str(check)):
                seen.add(base + str(check))
                break
    return sorted(seen)


def write_file(path: Path, count: int) -> None:
    numbers = finess_numbers(count)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"finess;etalab;{count};2025-11-27\r\n")
        for index, number in enumerate(numbers):
            cells = ["structureet", number, number, f"CAMSP BENCH {index}", f"CAMSP BENCH {index}"]
            cells += ["", "", str(index % 200), "R", "DES ESSAIS", "", "", "109", "44"]
            cells += ["LOIRE-ATLANTIQUE", TOWNS[index % len(TOWNS)], "0200000000", "", "190"]
            cells += ["Centre Action Médico-Sociale Précoce (C.A.M.S.P.)", "4106", "Enfance"]
            cells += ["", "8810C", "34", "ARS", "99", "Indéterminé", "2001-01-01"]
            cells += ["2001-01-01", "2025-01-01", ""]
            out.write(";".join(cells) + "\r\n")
        for number in numbers:
            out.write(f"geolocalisation;{number};652000.0;6862000.0;1,ATLASANTE;2025-01-01\r\n")


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MiB) of the child (the largest child so far)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=os.environ.get("GUICHET_BENCH_DATABASE_URL"))
    parser.add_argument("--lines", type=int, action="append")
    args = parser.parse_args()
    sizes = args.lines or [10_000, 100_000]
    guichet = str(ROOT / ".venv" / "bin" / "guichet")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{folder}/bench.db"
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        env = {
            **os.environ,
            "GUICHET_DATABASE_URL": url,
            "GUICHET_MIGRATION_DATABASE_URL": url,
            "GUICHET_DATA_DIR": folder,
        }
        subprocess.run([guichet, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"database: {url.split('@')[-1]}")
        for size in sizes:  # smallest first: the peak RSS of children only grows
            path = Path(folder) / f"etalab-cs1100507-stock-{size}.csv"
            write_file(path, size)
            megabytes = path.stat().st_size / 1024 / 1024
            for label in ("insert", "update"):
                seconds, peak = run([guichet, "finess", "import", str(path), "--quiet"], env)
                print(
                    f"{size:>7} lines ({megabytes:.1f} MiB), {label}: {seconds:.1f} s, "
                    f"peak RSS so far {peak:.0f} MiB"
                )


if __name__ == "__main__":
    main()
