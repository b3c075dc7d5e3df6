"""Benchmark of the search index: rebuild speed and memory, query latency.

    python tests/benchmarks/bench_index.py [--docs 20000] [--queries 200] [--keep DIR]

Generates synthetic treaty-like documents (2-5 KB, Malay or English, random countries, types,
levels and years), rebuilds an index from them in a child process (so its peak RSS is the
rebuild's own), then times searches mixing words and filters in this process (wall and CPU
time; "first_seen": each query and filter the first time it is asked, so nothing of it is in the
searcher's caches). Targets: query p95 <= 100 ms, rebuild peak RSS <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _words(text: str) -> list[str]:
    return text.split()


MS_WORDS = _words(
    """
kerajaan malaysia bersetuju untuk bekerjasama dalam bidang keselamatan sempadan pemerdagangan
orang penyeludupan migran dadah jenayah rentas sempadan pertukaran maklumat latihan pegawai
penguatkuasaan undang-undang perundingan rundingan mesyuarat jawatankuasa bersama pelaksanaan
memorandum persefahaman ini hendaklah berkuat kuasa pada tarikh ditandatangani pihak-pihak
kerjasama teknikal pengurusan imigresen pendatang asing tanpa izin perlindungan mangsa
keputusan persetujuan kedua-dua negara kementerian dalam negeri polis diraja agensi
penguatkuasaan maritim pertahanan awam pendaftaran negara laporan tahunan semakan pindaan
"""
)
EN_WORDS = _words(
    """
the government of malaysia and the government agree to cooperate in the field of border security
trafficking in persons smuggling of migrants illicit drugs transnational crime exchange of
information training of officers law enforcement negotiation negotiations meeting joint working
group implementation this memorandum of understanding shall enter into force on the date of
signature parties technical cooperation immigration management protection of victims decision
consent ministry of home affairs royal police agency maritime civil defence national
registration annual report review amendment extradition mutual legal assistance
"""
)
TITLES_MS = [
    "Memorandum Persefahaman mengenai Kerjasama dalam Membanteras Jenayah Rentas Sempadan",
    "Perjanjian mengenai Ekstradisi",
    "Pelan Tindakan Kerjasama Keselamatan",
    "Protokol Pindaan Perjanjian Bantuan Bersama",
    "Deklarasi Bersama mengenai Pemerdagangan Orang",
]
TITLES_EN = [
    "Memorandum of Understanding on Cooperation in Combating Transnational Crime",
    "Treaty on Extradition",
    "Plan of Action on Border Security Cooperation",
    "Agreement on Mutual Legal Assistance in Criminal Matters",
    "Work Programme on Immigration Management",
]
COUNTRIES = ["ID", "TH", "SG", "BN", "PH", "VN", "KR", "JP", "CN", "AU", "IN", "US", "GB", "AE"]
COUNTRY_TEXT = {
    "ID": ("Republik Indonesia", "the Republic of Indonesia"),
    "TH": ("Kerajaan Thailand", "the Kingdom of Thailand"),
    "SG": ("Republik Singapura", "the Republic of Singapore"),
    "BN": ("Negara Brunei Darussalam", "Brunei Darussalam"),
    "PH": ("Republik Filipina", "the Republic of the Philippines"),
    "VN": ("Republik Sosialis Vietnam", "the Socialist Republic of Viet Nam"),
    "KR": ("Republik Korea", "the Republic of Korea"),
    "JP": ("Jepun", "Japan"),
    "CN": ("Republik Rakyat China", "the People's Republic of China"),
    "AU": ("Australia", "Australia"),
    "IN": ("Republik India", "the Republic of India"),
    "US": ("Amerika Syarikat", "the United States of America"),
    "GB": ("United Kingdom", "the United Kingdom"),
    "AE": ("Emiriah Arab Bersatu", "the United Arab Emirates"),
}
TYPES = ["mou", "agreement", "treaty", "protocol", "action-plan", "work-programme", "declaration"]
LEVELS = ["bilateral", "multilateral", "regional"]


def make_docs(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """`n` synthetic documents, generated lazily so memory stays flat."""
    rng = random.Random(seed)
    for i in range(n):
        malay = rng.random() < 0.5
        words = MS_WORDS if malay else EN_WORDS
        countries = rng.sample(COUNTRIES, 1 if rng.random() < 0.7 else rng.randint(2, 4))
        names = [COUNTRY_TEXT[c][0 if malay else 1] for c in countries]
        target = rng.randint(2000, 5000)
        parts: list[str] = []
        size = 0
        while size < target:
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20)))
            if rng.random() < 0.15:
                sentence += " " + rng.choice(names)
            sentence = sentence.capitalize() + ". "
            parts.append(sentence)
            size += len(sentence)
        year = rng.randint(2000, 2026)
        signed = date(year, rng.randint(1, 12), rng.randint(1, 28))
        yield {
            "doc_id": f"DOC-{i:06d}",
            "case": f"IKA-{year}-{rng.randint(1, 300):04d}",
            "title": f"{rng.choice(TITLES_MS if malay else TITLES_EN)} — {names[0]}",
            "text": "".join(parts),
            "countries": countries,
            "type": rng.choice(TYPES),
            "level": rng.choice(LEVELS),
            "division": rng.choice(["BKDN", "BPI", "BKAP"]),
            "signed": signed if rng.random() < 0.8 else None,
            "filed": datetime(year, signed.month, signed.day, 9, 30),
            "filename": f"doc_{i:06d}.pdf",
            "language": "ms" if malay else "en",
            "path": f"files/{year}/DOC-{i:06d}.pdf",
        }


def _rebuild_child(index_dir: str, n: int, batch_size: int, out: Any) -> None:
    from pipeline.search import rebuild_index

    start = time.perf_counter()
    count = rebuild_index(Path(index_dir), make_docs(n), batch_size=batch_size)
    elapsed = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.send({"count": count, "seconds": elapsed, "peak_rss_mb": rss_kb / 1024})
    out.close()


QUERIES = [
    "pemerdagangan orang",
    "trafficking in persons",
    "perundingan",
    "negotiation",
    "memorandum persefahaman",
    "memorandum of understanding",
    "Korea Selatan",
    "kerja sama teknikal",
    "extradition treaty",
    "border security",
    "imigresen pendatang",
    "Jepun",
    "mutual legal assistance",
    "keselamatan sempadan",
    '"law enforcement"',
    "dadah -migran",
]
FILTERS: list[dict[str, Any]] = [
    {},
    {},
    {"country": "Indonesia"},
    {"type": "Memorandum Persefahaman"},
    {"level": "dua hala"},
    {"year": 2015},
    {"country": "TH", "type": "treaty"},
    {"date_from": date(2010, 1, 1), "date_to": date(2015, 12, 31)},
]


def bench_queries(index_dir: Path, n: int, seed: int = 11) -> dict[str, Any]:
    from pipeline.search import search_index

    rng = random.Random(seed)
    cold_start = time.perf_counter()
    search_index(index_dir, "kerjasama")
    cold = time.perf_counter() - cold_start
    timings = []
    cpu = []
    first_seen = []  # each (query, filters) the first time it is asked: nothing of it cached
    seen: set[str] = set()
    totals = []
    for _ in range(n):
        q = rng.choice([*QUERIES, None]) if rng.random() > 0.1 else None
        filters = rng.choice(FILTERS)
        t0, c0 = time.perf_counter(), time.process_time()
        result = search_index(index_dir, q, limit=20, **filters)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if (key := repr((q, filters))) not in seen:
            seen.add(key)
            first_seen.append(timings[-1])
        totals.append(result.total)

    def p95(values: list[float]) -> float:
        return round(sorted(values)[int(0.95 * (len(values) - 1))], 1)

    return {
        "queries": n,
        "first_query_ms": round(cold * 1000, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": p95(timings),
        "max_ms": round(max(timings), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": p95(cpu),
        "first_seen": len(first_seen),
        "first_seen_p50_ms": round(statistics.median(first_seen), 1),
        "first_seen_p95_ms": p95(first_seen),
        "mean_hits": round(statistics.mean(totals), 1),
    }


def fill_register(root: Path, n: int) -> None:
    """A real archive whose register holds the `n` synthetic documents (no files needed:
    `ika reindex` reads the texts the register keeps)."""
    import subprocess

    from sqlalchemy import insert

    from pipeline.archive import open_archive
    from pipeline.register.store import documents, dumps, texts

    subprocess.run([sys.executable, "-c", "import cli; cli.main()", "init", "--archive",
                    str(root)], check=True, capture_output=True, cwd=ROOT)
    arc = open_archive(root)
    batch_docs: list[dict[str, Any]] = []
    batch_texts: list[dict[str, Any]] = []

    def flush() -> None:
        with arc.register.write() as conn:
            conn.execute(insert(documents), batch_docs)
            conn.execute(insert(texts), batch_texts)
        batch_docs.clear()
        batch_texts.clear()

    for d in make_docs(n):
        doc_id = f"DOC-{int(d['doc_id'][4:]) + 1:06d}"
        batch_docs.append(dict(
            id=doc_id, case_id=None, step=None, kind="correspondence", name=d["filename"],
            version=1,
            path=d["path"], sha256=doc_id.ljust(64, "0"), size=len(d["text"]), source=None,
            media="pdf", title=d["title"], countries=dumps(d["countries"]), type=d["type"],
            level=d["level"], language=d["language"], signed_date=d["signed"],
            signed_place=None, method="pdf-text", ocr_path=None, ocr_sha256=None,
            filed_at=d["filed"],
        ))
        batch_texts.append({"doc_id": doc_id, "text": d["text"]})
        if len(batch_docs) >= 1000:
            flush()
    if batch_docs:
        flush()
    arc.register.dispose()


def bench_cli(root: Path, n: int, queries: int) -> dict[str, Any]:
    """`ika reindex` and `ika search` as a user runs them: whole processes."""
    import subprocess

    ika = [sys.executable, "-c", "import cli; cli.main()"]
    t0 = time.perf_counter()
    fill_register(root, n)
    filled = time.perf_counter() - t0
    t0 = time.perf_counter()
    proc = subprocess.Popen([*ika, "reindex", "--archive", str(root)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    assert status == 0, proc.stderr.read() if proc.stderr else status
    rng = random.Random(5)
    timings = []
    for _ in range(queries):
        q = rng.choice(QUERIES)
        f = rng.choice(FILTERS)
        args = [q] if q else []
        for key, value in f.items():
            flag = {"date_from": "--from", "date_to": "--to"}.get(key, f"--{key}")
            args += [flag, str(value)]
        t = time.perf_counter()
        subprocess.run([*ika, "search", *args, "--archive", str(root)], cwd=ROOT, check=True,
                       capture_output=True)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    return {
        "register_filled_seconds": round(filled, 1),
        "ika_reindex_seconds": round(seconds, 1),
        "ika_reindex_docs_per_s": round(n / seconds, 1),
        "ika_reindex_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "ika_search_commands": queries,
        "ika_search_p50_ms": round(statistics.median(timings), 1),
        "ika_search_p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the index here and keep it")
    parser.add_argument("--cli-queries", type=int, default=40,
                        help="whole `ika search` commands to time (0: skip the CLI part)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.keep or Path(tmp) / "index"
        sample = list(make_docs(min(args.docs, 500)))
        avg_kb = statistics.mean(len(d["text"]) for d in sample) / 1024
        ctx = mp.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_rebuild_child, args=(str(index_dir), args.docs, args.batch_size, sender)
        )
        child.start()
        built = receiver.recv()
        child.join()
        size_mb = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20
        report = {
            "docs": built["count"],
            "avg_text_kb": round(avg_kb, 2),
            "rebuild_seconds": round(built["seconds"], 1),
            "rebuild_docs_per_s": round(built["count"] / built["seconds"], 1),
            "rebuild_peak_rss_mb": round(built["peak_rss_mb"], 1),
            "index_size_mb": round(size_mb, 1),
            "search": bench_queries(index_dir, args.queries),
        }
        from pipeline.search import close_all

        close_all()
        if args.cli_queries:
            report["cli"] = bench_cli(Path(tmp) / "archive", args.docs, args.cli_queries)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
