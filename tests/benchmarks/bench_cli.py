"""Benchmark: wall time of `ika --help`, and of `ika due` / `ika case list` over 10,000 cases.

Run: python tests/benchmarks/bench_cli.py [--cases 10000]
Targets (issue 2): --help <= 0.3 s; due and case list <= 1 s each.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def fill(archive: Path, n: int) -> None:
    """10,000 cases spread over 2025-2026 at every stage of the SOP, via the library."""
    from sqlalchemy import insert

    from pipeline.archive import open_archive
    from pipeline.clock import now
    from pipeline.register.store import cases, dumps, steps

    arc = open_archive(archive)
    rng = random.Random(7)
    countries = ["KR", "SG", "ID", "TH", "JP", "AU", "CN", "US", "SA", "TR"]
    with arc.register.write() as conn:
        case_rows, step_rows = [], []
        for i in range(n):
            received = date(2025, 1, 1) + timedelta(days=rng.randrange(690))
            seq = i + 1
            case_id = f"IKA-{received.year}-{seq:05d}"
            decision = rng.choice([None, None, "YA", "TIDAK"])
            done_upto = rng.randrange(0, 3) if decision is None else rng.randrange(3, 7)
            case_rows.append(dict(
                id=case_id, year=received.year, seq=seq, title=f"Kerjasama {i}", type="mou",
                level="bilateral", countries=dumps([rng.choice(countries)]), division="BKA",
                source="kln", received=received, file_ref=None, their_ref=None, status="open",
                decision=decision, created_at=now(),
            ))
            day = received
            for k in range(1, done_upto + 1):
                if decision == "TIDAK" and k == 4:
                    continue
                day += timedelta(days=2)
                step_rows.append(dict(case_id=case_id, n=k, done=day, note=None, by="bench"))
        conn.execute(insert(cases), case_rows)
        conn.execute(insert(steps), step_rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    ika = [sys.executable, "-c", "import cli; cli.main()"]
    env = dict(os.environ, IKA_TODAY="2026-11-27")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        subprocess.run([*ika, "init", "--archive", str(archive)], check=True, env=env,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        base, _ = timed([sys.executable, "-c", "pass"], args.runs, env)
        print(f"python startup (baseline):        {base:6.3f} s")
        med, best = timed([*ika, "--help"], args.runs, env)
        print(f"ika --help:                       {med:6.3f} s median, {best:.3f} best "
              f"(target <= 0.3 s)")
        t = time.perf_counter()
        fill(archive, args.cases)
        print(f"filled {args.cases} cases in {time.perf_counter() - t:.1f} s")
        for name, cmd in [
            ("ika due", ["due"]),
            ("ika due --json", ["due", "--json"]),
            ("ika case list", ["case", "list"]),
            ("ika case list --json", ["case", "list", "--json"]),
        ]:
            med, best = timed([*ika, *cmd, "--archive", str(archive)], args.runs, env)
            print(f"{name + ':':33s} {med:6.3f} s median, {best:.3f} best (target <= 1 s)")


if __name__ == "__main__":
    main()
