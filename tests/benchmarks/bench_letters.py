"""Benchmark: .docx letters rendered per second, and seconds per PDF in a batch of 10.

Run: python tests/benchmarks/bench_letters.py [--seconds 5] [--batch 10]
Targets: rendering >= 20 documents/s; PDF <= 0.5 s per document when 10 go in one to_pdf call.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.documents import letters, templatecheck  # noqa: E402
from pipeline.documents.pdf import to_pdf  # noqa: E402
from pipeline.register import sop  # noqa: E402

TODAY = date(2026, 11, 27)


def jobs() -> list[tuple[str, dict[str, object]]]:
    """Every document for the sample YA and TIDAK cases, contexts built once (the shipped
    settings with officers named, as `ika doc check` renders them)."""
    settings = templatecheck.sample_settings()
    out = []
    for key, (step, document) in sop.DOCUMENTS.items():
        for decision in ("YA", "TIDAK"):
            if not sop.applies(step, decision):
                continue
            ctx = letters.build_context(
                templatecheck.sample_case(decision, TODAY),
                key,
                settings,
                to_key="AGC" if document.per_addressee and not document.distribution else None,
                overrides=templatecheck.sample_overrides(key),
                today=TODAY,
            )
            out.append((key, ctx))
    return out


def bench_render(seconds: float, work: Path) -> tuple[int, float]:
    """Render documents round-robin for about `seconds`: (count, elapsed)."""
    todo = itertools.cycle(jobs())
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        key, ctx = next(todo)
        letters.render(key, ctx, work / f"{key}-{n % 50}.docx")
        n += 1
    return n, time.perf_counter() - start


def bench_pdf(batch: int, work: Path) -> float:
    """Seconds for one to_pdf call converting `batch` different documents."""
    todo = itertools.cycle(jobs())
    docs = []
    for i in range(batch):
        key, ctx = next(todo)
        docs.append(letters.render(key, ctx, work / "batch" / f"{i:02d}-{key}.docx"))
    start = time.perf_counter()
    pdfs = to_pdf(docs, work / "pdf")
    elapsed = time.perf_counter() - start
    assert len(pdfs) == batch
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ika-bench-letters-") as tmp:
        work = Path(tmp)
        n, elapsed = bench_render(args.seconds, work)
        rate = n / elapsed
        print(f"render: {n} documents in {elapsed:.2f} s = {rate:.1f}/s (target >= 20/s)")
        total = bench_pdf(args.batch, work)
        each = total / args.batch
        print(
            f"pdf: {args.batch} documents in one call {total:.2f} s = {each:.2f} s each "
            "(target <= 0.5 s)"
        )
    return 0 if rate >= 20 and each <= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
