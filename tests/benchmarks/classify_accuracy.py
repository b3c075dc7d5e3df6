"""Accuracy of pipeline.filing.classify: parties, type and level, on texts written by others.

Run from the project's root: `.venv/bin/python tests/benchmarks/classify_accuracy.py`. Options:
`--no-scans` skips the OCR of the scanned forms, `--labelled-only` leaves out the corpus
instruments, `--instruments-only` runs only them, `--verbose` prints every instrument (by default
only the misses are listed).

Three sets:

- `../shared/corpus/labelled/` — 60 instrument bodies from ToTA with every party, the type and
  the level in `manifest.json`. They are split once, by a hash of the file name, into a
  development part (about 2/3: the only texts whose misses were looked at while writing the
  rules) and a held-out part (about 1/3: never looked at; its figure is the honest one). The rule
  is `held_out()` below; HELD_OUT lists what it gives for the 60 texts of today, and the script
  checks the two agree, so the split cannot drift silently.
- `written/` — 165 texts written for the project (Malay and English, bilateral and through
  groupings, Malaysia a party or not, decoys, OCR damage) by writers who had not seen the rules,
  after the rules were developed. Each set was measured blind on its first run: u01-u40 parties
  38/40 (the misses: "the Democratic Republic of Congo", "REPUBLIC OFINDONESIA"); v01-v40, after
  the rules those two led to, parties 40/40, type 39/40 ("Surat Hasrat"), groupings 39/40
  ("DARUS-" / "SALAM" broken at a line's end); w01-w45 (30 instruments, 15 letters, notes and
  minutes), after those: instruments parties 30/30, type, level, groupings and kind 29/30;
  correspondence kind 13/15, counterparts 12/15, type 5/15 (a letter was not yet read as being
  about the instrument it names); x01-x40 (25 instruments, 15 pieces of correspondence), after
  all of those: instruments parties, type and level 25/25, groupings and kind 24/25;
  correspondence kind 14/15, counterparts 14/15, type 7/15. Each miss led to a general rule or
  is listed as a judgement.
- `../shared/corpus/instruments/` — 5 instruments, each as .txt, text .pdf, .docx and -scan.pdf
  (OCR), read through the pipeline's own extraction, with counterparts, type, level and date.

Parties are scored as an exact set, Malaysia aside: the countries found plus the members listed
for a grouping must be the labelled parties. A multilateral instrument whose parties are given
through a grouping ("the EFTA States", "the Member States of the European Community") also counts
when the grouping is named and no country that is not a party is listed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
LABELLED = CORPUS / "labelled"
sys.path.insert(0, str(ROOT))

from pipeline.filing.classify import Classification, classify  # noqa: E402
from pipeline.filing.classify_dates import find_dates  # noqa: E402

MALAYSIA = "MY"
FIELDS = ("parties", "type", "level")


# --- the split ----------------------------------------------------------------------------------


def held_out(file_name: str) -> bool:
    """One text in three, by the SHA-256 of its file name: fixed before any rule was written."""
    return int(hashlib.sha256(file_name.encode("utf-8")).hexdigest(), 16) % 3 == 0


# What held_out() gives for the labelled set as it stands (22 of 60). pta_260, pta_335 and
# pta_401 are quoted in issue 11 itself, so they were seen in the issue text, though never opened.
HELD_OUT = frozenset(
    {
        "pta_110", "pta_148", "pta_184", "pta_224", "pta_237", "pta_252", "pta_256", "pta_260",
        "pta_282", "pta_283", "pta_291", "pta_300", "pta_304", "pta_305", "pta_307", "pta_313",
        "pta_335", "pta_370", "pta_401", "pta_426", "pta_440", "pta_441",
    }
)  # fmt: skip


# Development texts whose label disagrees with what the text itself says (checked by reading
# them; the classifier follows the text, so these stay misses rather than being forced):
# - pta_239: the Syrian Arab Republic is the "other part" of the clause and signs; the label
#   lists only the Community's nine member states.
# - pta_246: Norway and Switzerland are among "the EFTA States" of the clause and sign; the
#   label has Estonia, Iceland and Liechtenstein only.
# - pta_255: the Convention's four states "hereby establish a Customs Union"; Cameroon appears
#   only "with consultative status", yet is labelled a party.
# - pta_320: the clause lists ten Community states and 65 ACP states by their heads of state;
#   the label has 54 of them (no Belgium, Denmark or Greece, no Angola, Vanuatu, ...).
# - pta_363: the signature blocks are those of 13 states (Nauru's is cut off by the scan); the
#   label adds Micronesia, which has no block, and leaves out the Marshall Islands and Palau.


# --- scoring ------------------------------------------------------------------------------------


def parties_found(result: Classification) -> set[str]:
    """Every party the classifier names as a country: counterparts and listed grouping members."""
    return (set(result.countries) | set(result.members)) - {MALAYSIA}


def parties_right(result: Classification, parties: set[str], level: str) -> bool:
    """Exact set, Malaysia aside; or, multilateral, a grouping named and no non-party listed."""
    want = parties - {MALAYSIA}
    got = parties_found(result)
    if got == want:
        return True
    return level == "multilateral" and bool(result.blocs) and got <= want


def score(result: Classification, label: dict, parties: set[str]) -> dict[str, bool]:
    return {
        "parties": parties_right(result, parties, label["level"]),
        "type": result.type == label["type"],
        "level": result.level == label["level"],
    }


# --- the labelled set ---------------------------------------------------------------------------


def labelled() -> list[dict]:
    return json.loads((LABELLED / "manifest.json").read_text(encoding="utf-8"))["instruments"]


def check_split(labels: list[dict]) -> None:
    drawn = {label["name"] for label in labels if held_out(label["file"])}
    if drawn != HELD_OUT:
        raise SystemExit(f"the split moved: {sorted(drawn ^ HELD_OUT)}")


def run_labelled(verbose: bool) -> dict[str, dict[str, list[bool]]]:
    """Per part ("dev", "held-out"), per field, one bool per text."""
    labels = labelled()
    check_split(labels)
    parts: dict[str, dict[str, list[bool]]] = {
        part: {f: [] for f in FIELDS} for part in ("dev", "held-out")
    }
    print("labelled set: misses" + (" and hits" if verbose else ""))
    for label in sorted(labels, key=lambda item: (held_out(item["file"]), item["name"])):
        part = "held-out" if held_out(label["file"]) else "dev"
        text = (LABELLED / label["file"]).read_text(encoding="utf-8")
        result = classify(text, filename=label["file"])
        ok = score(result, label, set(label["parties"]))
        for field in FIELDS:
            parts[part][field].append(ok[field])
        if verbose or not all(ok.values()):
            print(f"  {part:<8} " + _row(label["name"], result, ok, label, set(label["parties"])))
    return parts


# --- the written set ----------------------------------------------------------------------------

WRITTEN = Path(__file__).resolve().parent / "written"


WRITTEN_FIELDS = (*FIELDS, "groupings", "kind")


def run_written(verbose: bool) -> dict[str, dict[str, list[bool]]]:
    """The texts written for the project after the rules (see written/labels.json): the
    instruments on every field, the correspondence on its kind and on the counterparts and
    type of the instrument it is about (level and groupings do not apply: always right)."""
    from pipeline.vocab.kinds import decide_kind

    labels = json.loads((WRITTEN / "labels.json").read_text(encoding="utf-8"))["instruments"]
    rows = {part: {f: [] for f in WRITTEN_FIELDS} for part in ("instruments", "correspondence")}
    print("written set: misses" + (" and hits" if verbose else ""))
    for label in labels:
        text = (WRITTEN / label["file"]).read_text(encoding="utf-8")
        result = classify(text, filename=label["file"])
        kind = label.get("kind", "instrument")
        # as filing gives them to the kind rule: counterparts, listed members, groupings
        countries = (*dict.fromkeys(result.countries + result.members), *result.blocs)
        if kind == "correspondence":
            ok = {"parties": parties_found(result) == set(label["parties"]) - {MALAYSIA},
                  "type": result.type == label["type"], "level": True, "groupings": True}
        else:
            level = "multilateral" if label["level"] == "regional" else label["level"]
            ok = score(result, label, set(label["parties"]))
            ok["parties"] = parties_right(result, set(label["parties"]), level)
            ok["groupings"] = set(result.blocs) == set(label.get("groupings", []))
        ok["kind"] = decide_kind(result.type, countries, text) == kind
        part = "instruments" if kind == "instrument" else "correspondence"
        for field in WRITTEN_FIELDS:
            rows[part][field].append(ok[field])
        if verbose or not all(ok.values()):
            shown = {k: v for k, v in ok.items() if k in ("parties", "type", "level")}
            print(f"  {kind[:6]}  " + _row(label["file"], result, shown, label,
                                          set(label["parties"]))
                  + ("" if ok["kind"] else f"  kind ✗ (want {kind})")
                  + ("" if ok["groupings"] else "  groupings ✗"))
    return {f"written {part}": counts for part, counts in rows.items()}


# --- the instruments, in every form --------------------------------------------------------------

FORMS: dict[str, str] = {"txt": ".txt", "pdf": ".pdf", "docx": ".docx", "scan": "-scan.pdf"}


def read(path: Path) -> str:
    """The text the filing pipeline would classify (OCR for the scans)."""
    from pipeline.filing.extract import extract

    with tempfile.TemporaryDirectory() as tmp:
        return extract(path, work_dir=Path(tmp)).text


READERS: dict[str, Callable[[Path], str]] = dict.fromkeys(FORMS, read)


def run_instruments(verbose: bool) -> dict[str, dict[str, list[bool]]]:
    """Per form, per field (and the date of signature), one bool per instrument.

    The date counts only where the manifest's date is written in the text at all: pta_160,
    pta_20 and pta_334 stop before their signature blocks. pta_38's manifest date is only a
    recital's (tests/test_classify.py documents it), so its date is a miss here by design.
    """
    labels = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["instruments"]
    forms: dict[str, dict[str, list[bool]]] = {
        form: {f: [] for f in (*FIELDS, "date")} for form in READERS
    }
    print("instruments: misses" + (" and hits" if verbose else ""))
    for label in labels:
        for form, reader in READERS.items():
            path = CORPUS / "instruments" / f"{label['name']}{FORMS[form]}"
            text = reader(path)
            result = classify(text, filename=path.name)
            parties = set(label["counterparts"])
            ok = score(result, label, parties)
            # The corpus's counterparts are exact: a grouping does not excuse a missing country.
            ok["parties"] = set(result.countries) == parties
            signed = date.fromisoformat(label["signed"]) if label.get("signed") else None
            in_text = signed in {d for _, d in find_dates(text)}
            ok["date"] = not in_text or result.signed_date == signed
            for field in ok:
                forms[form][field].append(ok[field])
            if verbose or not all(ok.values()):
                print(f"  {form:<8} " + _row(label["name"], result, ok, label, parties))
    return forms


# --- output -------------------------------------------------------------------------------------


def show(value: object) -> str:
    if isinstance(value, tuple | list | set | frozenset):
        return ",".join(sorted(value)) or "-"
    return "-" if value is None else str(value)


def _row(name: str, result: Classification, ok: dict[str, bool], label: dict, want: set) -> str:
    got = parties_found(result)
    groupings = f" [{show(result.blocs)}]" if result.blocs else ""
    cells = [f"{name:<12}"]
    cells.append(
        f"parties {'✓' if ok['parties'] else '✗'} {show(got)}{groupings}"
        + ("" if ok["parties"] else f" (want {show(want - {MALAYSIA})})")
    )
    for field in ("type", "level", "date"):
        if field not in ok:
            continue
        mark = "✓" if ok[field] else "✗"
        got_value = result.signed_date if field == "date" else getattr(result, field)
        cells.append(f"{field} {mark} {show(got_value)}")
        if not ok[field]:
            cells[-1] += f" (want {label['signed' if field == 'date' else field]})"
    return "  ".join(cells)


def _ratio(values: list[bool]) -> str:
    hits, total = sum(values), len(values)
    share = f"{hits / total:.0%}" if total else "n/a"
    return f"{f'{hits}/{total}':>7} {share:>4}"


def _table(title: str, rows: dict[str, dict[str, list[bool]]], fields: tuple[str, ...]) -> None:
    print(f"{title:<22}" + "".join(f"{field:>13}" for field in fields))
    for name, counts in rows.items():
        print(f"{name:<22}" + "".join(f" {_ratio(counts[f])}" for f in fields))


def main() -> int:
    args = set(sys.argv[1:])
    verbose = "--verbose" in args
    if "--no-scans" in args:
        del READERS["scan"]
    summary: list[tuple[str, dict[str, dict[str, list[bool]]], tuple[str, ...]]] = []
    if "--instruments-only" not in args:
        parts = run_labelled(verbose)
        every = {f: parts["dev"][f] + parts["held-out"][f] for f in FIELDS}
        rows = {
            "labelled all": every,
            "labelled dev": parts["dev"],
            "labelled held-out": parts["held-out"],
        }
        summary.append(("accuracy", rows, FIELDS))
        print()
    if "--instruments-only" not in args:
        summary.append(("accuracy", run_written(verbose), WRITTEN_FIELDS))
        print()
    if "--labelled-only" not in args:
        forms = run_instruments(verbose)
        fields = (*FIELDS, "date")
        rows = {f"instruments {form}": counts for form, counts in forms.items()}
        rows["instruments all forms"] = {
            f: [v for c in forms.values() for v in c[f]] for f in fields
        }
        summary.append(("accuracy", rows, fields))
        print()
    for title, rows, fields in summary:
        _table(title, rows, fields)
        print()
    print("held-out: " + ", ".join(sorted(HELD_OUT)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
