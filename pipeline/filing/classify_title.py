"""The title of an instrument: its first substantial line and the lines that continue it."""

from __future__ import annotations

import re

from pipeline.filing.classify_type import starts_with_type


def _flat(text: str) -> str:
    """One line: joins words hyphenated across a line break, collapses whitespace."""
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text)
    return re.sub(r"\s+", " ", text).strip()


_MARKINGS = re.compile(
    r"^(sulit|terhad|rahsia|rahsia besar|confidential|restricted|secret|draft|deraf|"
    r"translation|terjemahan|unofficial translation|terjemahan tidak rasmi|page \d+|\W*\d+\W*)$",
    re.I,
)
_HEADING = re.compile(
    r"^(preamble|preambule|mukadimah|pembukaan|article\b|artikel\b|perkara\b|chapter\b|bab\b|"
    r"part\b|annex\b|lampiran\b|contents\b|table of contents|kandungan\b|have agreed|"
    r"telah bersetuju)",
    re.I,
)
_CONNECTIVES = frozenset(
    {
        "the", "of", "to", "and", "between", "among", "amongst", "on", "for", "in", "concerning",
        "regarding", "with", "a", "an", "antara", "dan", "mengenai", "berhubung", "berkenaan",
        "bagi", "untuk", "tentang", "dengan", "kepada", "di",
    }
)  # fmt: skip
# A line never ends a title on these: "... OF THE FRAMEWORK" goes on with "AGREEMENT ON ...".
_TYPE_MODIFIERS = frozenset(
    {"framework", "trade", "implementing", "supplementary", "additional", "joint", "amending"}
)
_LINKS = _CONNECTIVES - {"the", "a", "an"}  # may open a line that continues the title
_PARTY_CLAUSE_MARK = re.compile(r"\b(hereinafter|selepas ini|kemudian daripada ini)\b", re.I)
_MAX_TITLE_LINES = 8
_MAX_TITLE_CHARS = 400


def detect_title(head: str) -> tuple[str | None, int]:
    """The title (first substantial line, with the lines that continue it) and where it ends."""
    lines = _lines_with_offsets(head)
    start = next((i for i, (line, _) in enumerate(lines) if _is_substantial(line)), None)
    if start is None or not _can_open_title(lines[start][0]):
        return None, 0
    taken = [lines[start][0]]
    end = lines[start][1] + len(lines[start][0])
    blank = False
    for line, offset in lines[start + 1 :]:
        if not line:
            blank = True
            continue
        if len(taken) >= _MAX_TITLE_LINES or not _continues(taken, line, blank):
            break
        taken.append(line)
        end, blank = offset + len(line), False
    return _flat("\n".join(taken)) or None, end


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out, offset = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((raw.strip(), offset + len(raw) - len(raw.lstrip())))
        offset += len(raw)
    return out


def _is_substantial(line: str) -> bool:
    return sum(ch.isalpha() for ch in line) >= 4 and not _MARKINGS.match(line)


_OPERATIVE = re.compile(r"\b(shall|hereby|hendaklah)\b", re.I)


def _can_open_title(line: str) -> bool:
    """A heading ("PREAMBLE") or a sentence ("The Government of X and ...,", "The Parties shall
    establish ...", "X and Y hereby establish ...") is no title."""
    return not (
        _HEADING.match(line)
        or _PARTY_CLAUSE_MARK.search(line)
        or _OPERATIVE.search(line)
        or line[-1] in ",;:"
    )


def _continues(taken: list[str], line: str, after_blank: bool) -> bool:
    """Whether `line` is more of the title: same style, no new heading, no new instrument."""
    previous = taken[-1]
    last_word = previous.rsplit(None, 1)[-1].lower() if previous.split() else ""
    first_word = line.split(None, 1)[0].lower()
    linked = previous.endswith("-") or last_word in _CONNECTIVES or last_word in _TYPE_MODIFIERS
    if len(" ".join(taken)) + len(line) > _MAX_TITLE_CHARS or _HEADING.match(line):
        return False
    if not linked and (starts_with_type(line) or previous[-1] in ",;:."):
        return False
    if _PARTY_CLAUSE_MARK.search(line):
        return False
    if after_blank and not (linked or first_word in _LINKS):
        return False
    if _is_caps(taken[0]):
        return _is_caps(line)
    if linked:
        return True
    return len(previous) >= 40 and not line.startswith("The ") and _is_title_cased(line)


def _is_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.9


def _is_title_cased(line: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _CONNECTIVES]
    if not words or line.rstrip()[-1] in ",;:":
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.8
