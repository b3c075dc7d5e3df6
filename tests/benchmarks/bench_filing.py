"""Benchmarks of filing (issue 4), each against a baseline measured in the same run.

  1. text PDFs through `ika file` vs bare pypdf extraction of the same files (target <= 1.5x)
  2. scanned pages per minute through `ika file` vs bare `ocrmypdf` (target <= 1.2x the time)
  3. inbox-to-filed latency of the watcher vs settle time + bare extraction (target <= +1 s)

Run: python tests/benchmarks/bench_filing.py [--copies 4] [--scans 2] [--skip-ocr]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
TEXT_PDFS = sorted(p for p in (CORPUS / "instruments").glob("*.pdf") if "-scan" not in p.name)
TEXT_PDFS += [CORPUS / "pdf" / "google-doc-document.pdf", CORPUS / "pdf" / "multicolumn.pdf"]
SCANS = sorted((CORPUS / "instruments").glob("*-scan.pdf"))
IKA = [sys.executable, "-c", "import cli; cli.main()"]

BARE_PYPDF = """
import sys
from pypdf import PdfReader
for path in sys.argv[1:]:
    text = "\\f".join(page.extract_text() or "" for page in PdfReader(path).pages)
"""


def run(cmd: list[str], **kw: object) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT, **kw)
    return time.perf_counter() - t


def variants(files: list[Path], copies: int, dest: Path) -> list[Path]:
    """Distinct copies (a trailing PDF comment changes the bytes, not the content)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(copies):
        for f in files:
            p = dest / f"{f.stem}-{n}{f.suffix}"
            p.write_bytes(f.read_bytes() + f"\n% copy {n}\n".encode())
            out.append(p)
    return out


def fresh_archive(tmp: Path, name: str, settle: float = 2.0) -> Path:
    arc = tmp / name
    subprocess.run([*IKA, "init", "--archive", str(arc)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    toml = arc / "ika.toml"
    toml.write_text(toml.read_text().replace("settle_seconds = 2.0", f"settle_seconds = {settle}"))
    return arc


def bench_text(tmp: Path, copies: int) -> None:
    files = variants(TEXT_PDFS, copies, tmp / "text")
    bare = min(run([sys.executable, "-c", BARE_PYPDF, *map(str, files)]) for _ in range(2))
    times = []
    for i in range(2):
        arc = fresh_archive(tmp, f"text-{i}")
        times.append(run([*IKA, "file", *map(str, files), "--archive", str(arc)]))
    pipe = min(times)
    print(f"text PDFs: {len(files)} files; bare pypdf {bare:.2f} s, `ika file` {pipe:.2f} s "
          f"-> ratio {pipe / bare:.2f}x (target <= 1.5x)")


def bench_ocr(tmp: Path, scans: int) -> None:
    files = SCANS[:scans]
    pages = 3 * len(files)  # each -scan.pdf holds the first three pages
    out = tmp / "ocr-out"
    out.mkdir()
    bare = 0.0
    for f in files:
        bare += run([sys.executable, "-m", "ocrmypdf", "-q", "-l", "msa+eng", "--output-type",
                     "pdfa", "--pdfa-backend", "internal", str(f), str(out / f.name)])
    arc = fresh_archive(tmp, "ocr")
    pipe = run([*IKA, "file", *map(str, files), "--archive", str(arc)])
    print(f"scans: {pages} pages; bare ocrmypdf {bare:.1f} s ({pages / bare * 60:.1f} pages/min), "
          f"`ika file` {pipe:.1f} s ({pages / pipe * 60:.1f} pages/min) "
          f"-> ratio {pipe / bare:.2f}x (target <= 1.2x)")


def bench_latency(tmp: Path, settle: float = 2.0) -> None:
    arc = fresh_archive(tmp, "latency", settle)
    src = TEXT_PDFS[0]
    bare = min(run([sys.executable, "-c", BARE_PYPDF, str(src)]) for _ in range(3))
    log = open(tmp / "watch.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*IKA, "watch", "--archive", str(arc)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        while "watching" not in (tmp / "watch.log").read_text():
            time.sleep(0.05)
        results = []
        for n in range(3):
            data = src.read_bytes() + f"\n% latency {n}\n".encode()
            staged = tmp / f"staged-{n}.pdf"
            staged.write_bytes(data)
            t = time.perf_counter()
            staged.rename(arc / "inbox" / staged.name)  # lands whole, at once
            while True:
                with sqlite3.connect(arc / "register.sqlite3") as db:
                    if db.execute("SELECT count(*) FROM documents").fetchone()[0] > n:
                        break
                time.sleep(0.02)
            results.append(time.perf_counter() - t)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    best = min(results)
    print(f"latency: landed -> filed {best:.2f} s (runs {', '.join(f'{r:.2f}' for r in results)});"
          f" settle {settle:.1f} s + bare extraction {bare:.2f} s = {settle + bare:.2f} s;"
          f" overhead {best - settle - bare:+.2f} s (target <= +1 s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=4, help="copies of each text PDF")
    ap.add_argument("--scans", type=int, default=2, help="scanned PDFs (3 pages each)")
    ap.add_argument("--skip-ocr", action="store_true")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS}")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        bench_text(tmp, args.copies)
        bench_latency(tmp)
        if not args.skip_ocr:
            bench_ocr(tmp, args.scans)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
