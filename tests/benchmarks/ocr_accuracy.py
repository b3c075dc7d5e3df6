"""OCR character accuracy of `pipeline.filing.extract.extract()` on corpus scans with ground truth.

Run from the repository root: ``python tests/benchmarks/ocr_accuracy.py [LANGUAGES]``.
Accuracy is 1 - Levenshtein distance / len(truth), after collapsing whitespace, so a
changed OCR setting can be judged on real pages rather than by eye; a second figure also
folds curly quotes and dashes to ASCII on both sides (the ground truths differ in that).
Not collected by pytest (pyproject ignores tests/benchmarks).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "scans"
SAMPLES = [("linn.pdf", "linn.txt"), ("8087_054.3B.tif", "8087_054.3B.txt")]

if str(REPO) not in sys.path:  # run as a script: make `pipeline` importable
    sys.path.insert(0, str(REPO))

from pipeline.filing.extract import extract  # noqa: E402


def normalise(text: str) -> str:
    """Whitespace runs (line breaks, form feeds, columns) become one space."""
    return re.sub(r"\s+", " ", text).strip()


_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


def fold_typography(text: str) -> str:
    """Curly quotes and dashes as ASCII: the two ground truths type them differently."""
    return text.translate(_TYPOGRAPHY)


def levenshtein(truth: str, other: str) -> int:
    """Edit distance by Myers' bit-vector algorithm (Hyyrö's form) on Python big integers.

    O(len(other)) big-integer steps instead of a len(truth) x len(other) table, so whole
    pages score in well under a second without any new dependency.
    """
    if not truth or not other:
        return max(len(truth), len(other))
    peq: dict[str, int] = {}
    for index, char in enumerate(truth):
        peq[char] = peq.get(char, 0) | (1 << index)
    mask = (1 << len(truth)) - 1
    high = 1 << (len(truth) - 1)
    pv, mv, score = mask, 0, len(truth)
    for char in other:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def _table_levenshtein(a: str, b: str) -> int:
    """Plain dynamic programming, used only to check the fast version."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def _self_check() -> None:
    """The bit-vector distance agrees with the textbook table on awkward cases."""
    cases = [("", "abc"), ("kitten", "sitting"), ("flaw", "lawn"), ("aaaa", "a"), ("abc", "abc")]
    cases.append(("The quick brown fox" * 5, "Teh quick brwn fox!" * 5))
    for a, b in cases:
        assert levenshtein(a, b) == _table_levenshtein(a, b), (a, b)


def accuracy(truth: str, ocr: str) -> tuple[float, int, int]:
    """(accuracy, distance, truth length) after whitespace normalisation."""
    truth, ocr = normalise(truth), normalise(ocr)
    distance = levenshtein(truth, ocr)
    return 1 - distance / len(truth), distance, len(truth)


def main(languages: str = "msa+eng") -> None:
    """OCR each sample through extract() and print its character accuracy."""
    _self_check()
    print(f"OCR character accuracy (languages {languages})")
    with tempfile.TemporaryDirectory(prefix="ika-ocr-bench-") as work:
        for image, truth_file in SAMPLES:
            started = time.monotonic()
            result = extract(CORPUS / image, work_dir=Path(work) / image, languages=languages)
            seconds = time.monotonic() - started
            truth = (CORPUS / truth_file).read_text(encoding="utf-8")
            score, distance, length = accuracy(truth, result.text)
            folded, _, _ = accuracy(fold_typography(truth), fold_typography(result.text))
            print(
                f"  {image:<18} {score:7.2%}  ({distance} edits / {length} chars, "
                f"{result.pages} page(s), {seconds:.1f} s); "
                f"{folded:.2%} with quotes and dashes as ASCII"
            )


if __name__ == "__main__":
    main(*sys.argv[1:2])
