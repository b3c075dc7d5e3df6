"""Accuracy of pipeline.classify on the real instruments of ../shared/corpus, per form.

Run from anywhere: `python tests/benchmarks/classify_accuracy.py [--no-scans]`. Reads the .txt,
the text .pdf, the .docx and the -scan.pdf (OCR) of every instrument in manifest.json through the
pipeline's own extraction, and compares countries, type, level and date of signature with the
manifest's labels.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from pipeline.classify import Classification, classify, find_dates  # noqa: E402
from pipeline.extract import extract  # noqa: E402

FIELDS = ("countries", "type", "level", "date")
IN_TEXT = "date*"  # the date, counted only where the manifest's date is written in the text


def read(path: Path) -> str:
    """The text the filing pipeline would classify (OCR for the scans)."""
    with tempfile.TemporaryDirectory() as tmp:
        return extract(path, work_dir=Path(tmp)).text


FORMS: dict[str, str] = {"txt": ".txt", "pdf": ".pdf", "docx": ".docx", "scan": "-scan.pdf"}
READERS: dict[str, Callable[[Path], str]] = dict.fromkeys(FORMS, read)


def score(result: Classification, label: dict) -> dict[str, bool]:
    """Which fields agree with the manifest; a missing manifest date counts as agreeing."""
    signed = date.fromisoformat(label["signed"]) if label.get("signed") else None
    return {
        "countries": set(result.countries) == set(label["counterparts"]),
        "type": result.type == label["type"],
        "level": result.level == label["level"],
        "date": signed is None or result.signed_date == signed,
    }


def date_in_text(text: str, label: dict) -> bool:
    """Whether the manifest's date of signature is written anywhere in the text at all."""
    return bool(label.get("signed")) and date.fromisoformat(label["signed"]) in {
        d for _, d in find_dates(text)
    }


def show(value: object) -> str:
    if isinstance(value, tuple | list | set):
        return ",".join(sorted(value)) or "-"
    return "-" if value is None else str(value)


def main() -> int:
    if "--no-scans" in sys.argv:
        del READERS["scan"]
    labels = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["instruments"]
    header = f"{'instrument':<12} {'form':<5} {'countries':<10} {'type':<12} {'level':<15} date"
    print(header)
    print("-" * len(header))
    totals = {form: dict.fromkeys((*FIELDS, IN_TEXT), 0) for form in READERS}
    stated = dict.fromkeys(READERS, 0)
    for label in labels:
        for form, read in READERS.items():
            path = CORPUS / "instruments" / f"{label['name']}{FORMS[form]}"
            text = read(path)
            result = classify(text, filename=path.name)
            ok = score(result, label)
            in_text = date_in_text(text, label)
            for field in FIELDS:
                totals[form][field] += ok[field]
            totals[form][IN_TEXT] += ok["date"] and in_text
            stated[form] += in_text
            print(_row(label, form, result, ok, in_text))
    print()
    _summary(totals, len(labels), stated)
    print(f"\n{IN_TEXT}: out of the instruments whose text contains the manifest's date at all.")
    return 0


def _row(label: dict, form: str, result: Classification, ok: dict[str, bool], in_text: bool) -> str:
    def cell(field: str, got: object, want: object, width: int) -> str:
        text = show(got) if ok[field] else f"{show(got)}≠{show(want)}"
        return f"{('✓ ' if ok[field] else '✗ ') + text:<{width}}"

    return " ".join(
        [
            f"{label['name']:<12} {form:<5}",
            cell("countries", result.countries, label["counterparts"], 10),
            cell("type", result.type, label["type"], 12),
            cell("level", result.level, label["level"], 15),
            cell("date", result.signed_date, label.get("signed"), 0)
            + ("" if ok["date"] else " (in text)" if in_text else " (not in text)"),
        ]
    )


def _summary(totals: dict[str, dict[str, int]], n: int, stated: dict[str, int]) -> None:
    print(f"{'accuracy':<9}" + "".join(f"{field:>12}" for field in (*FIELDS, IN_TEXT)))
    for form, counts in totals.items():
        print(f"{form:<9}" + "".join(_ratio(counts[f], n) for f in FIELDS), end="")
        print(_ratio(counts[IN_TEXT], stated[form]))
    m = n * len(totals)
    every = {f: sum(c[f] for c in totals.values()) for f in (*FIELDS, IN_TEXT)}
    print(f"{'all':<9}" + "".join(_ratio(every[f], m) for f in FIELDS), end="")
    print(_ratio(every[IN_TEXT], sum(stated.values())))


def _ratio(hits: int, total: int) -> str:
    share = f"{hits / total:.0%}" if total else "n/a"
    return f"{f'{hits}/{total}':>7} {share:>4}"


if __name__ == "__main__":
    raise SystemExit(main())
