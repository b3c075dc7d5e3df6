"""The benchmarks still run: each script at a toy size, so a change to the library's results
cannot leave a benchmark broken until someone needs its figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "tests" / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("bench_index.py", ["--docs", "40", "--queries", "5", "--cli-queries", "1"]),
        ("bench_cli.py", ["--cases", "20", "--runs", "1"]),
        ("classify_accuracy.py", ["--labelled-only"]),
    ],
)
def test_a_benchmark_runs_at_a_toy_size(script: str, args: list[str]) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    if script == "bench_index.py":
        report = json.loads(done.stdout)
        assert report["docs"] == 40 and report["search"]["queries"] == 5
    if script == "classify_accuracy.py":
        assert "written" in done.stdout and "labelled held-out" in done.stdout
