"""The archive's settings, `ika.toml`: one place that knows its keys and their defaults."""

from __future__ import annotations

import math
import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.documents.directory import (
    AB,
    Sender,
    addressee,
    norm,
    parse_divisions,
    parse_organisation,
)
from pipeline.register.workdays import STATES

from .errors import SettingsError

FILENAME = "ika.toml"

# Written by `ika init`; users edit it. Kept as text so the comments survive.
DEFAULT_TOML = """\
# IKA Records — settings of this archive. Edit freely; `ika init` never overwrites this file.

[organisation]
# The Ministry, and AB (Bahagian Antarabangsa), which runs the SOP and writes the letters of
# steps 1 and 6 on this letterhead, with this file reference, signed by its first signatory.
name = "Kementerian Dalam Negeri"
name_en = "Ministry of Home Affairs"
division = "Bahagian Antarabangsa"
division_en = "International Division"
address = [
  "Aras 7, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]
phone = "03-8886 3000"
fax = "03-8889 1613"
email = "ab@moha.gov.my"
website = "www.moha.gov.my"
# The crest at the top of the letterhead (e.g. the Jata Negara the Ministry supplies), PNG or
# JPEG: a path inside this archive ("jata-negara.png") or an absolute path. Empty: no crest.
crest = ""
# Printed above the closing, in capitals, one per line.
slogans = ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]
# The case file reference: {year} and {seq} are filled in; a case's --file-ref overrides it.
file_ref = "KDN.AB.600-2/{year}/{seq}"
# Who signs AB's letters: the first, unless `--set signatory=AB:2`. Names are not shipped:
# fill them in; a letter that needs an empty one stops and names the key to fill. Add more
# as { name = "...", post = "Timbalan Setiausaha Bahagian" }; on_behalf = "Ketua Setiausaha"
# prints "b.p. Ketua Setiausaha" under the post.
signatories = [
  { name = "", post = "Setiausaha Bahagian" },
]

[calendar]
# State whose holidays and weekend apply:
# JHR KDH KTN MLK NSN PHG PNG PRK PLS SGR TRG SBH SWK KUL LBN PJY
state = "{state}"
# "calendar": the SOP's days are calendar days, a deadline on a non-working day moves to the next
# working day. "working": count working days only.
count = "calendar"

# Holidays declared at short notice (Cuti Peristiwa), added to the state's calendar.
[calendar.extra_holidays]
# "2026-12-07" = "Cuti Peristiwa"

[filing]
inbox = "inbox"
settle_seconds = 2.0
poll_seconds = 0          # > 0: poll the inbox (network shares give no native events)
rescan_minutes = 5
max_size_mb = 200
max_pages = 1000          # a longer PDF or multi-page image is refused (split it)
max_seconds_per_document = 3600   # reading and OCR of one document; then it is refused
ocr_languages = "msa+eng"

[reminders]
# `ika due` shows how long a step has waited on someone else (top management's decision,
# a negotiation's agreed dates) and marks it REMIND after this many days (0: never).
waiting_days = 14

# Addressees of letters outside the Ministry's Divisions: `ika doc make ... --to KEY`.
# (Every [divisions.KEY] below is an addressee too: `--to PDRM`.)
[directory.KLN]
name = "Ketua Setiausaha"
organisation = "Kementerian Luar Negeri"
address = ["Wisma Putra", "No. 1, Jalan Wisma Putra, Presint 2", "62602 PUTRAJAYA"]
salutation = "Tuan/Puan,"

[directory.AGC]
name = "Peguam Negara Malaysia"
organisation = "Jabatan Peguam Negara"
address = ["No. 45, Persiaran Perdana, Presint 4", "62100 PUTRAJAYA"]

[directory.PUU-KDN]
name = "Penasihat Undang-Undang"
organisation = "Pejabat Penasihat Undang-Undang, Kementerian Dalam Negeri"
address = [
  "Aras 8, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]

[directory.AB]
name = "Setiausaha Bahagian"
organisation = "Bahagian Antarabangsa, Kementerian Dalam Negeri"
address = [
  "Aras 7, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]

[directory.PENGURUSAN]
name = "Ketua Setiausaha"
organisation = "Kementerian Dalam Negeri"
address = [
  "Aras 10, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]

# The Ministry's Divisions and agencies: each leads cases (`ika case new --division KEY` or
# its name) and writes the Division's letters on its own letterhead, with its own file
# reference ({year} and {seq} of the case; `--set ruj_bahagian=...` gives a case's own),
# signed by its first signatory (`--set signatory=KEY:2` for the second). kind = "bahagian"
# (a Division of the Ministry: the Ministry's letterhead with the Division's name) or
# "agensi" (its own letterhead). Fill in the empty names, file references and addresses;
# `ika doc check` lists what is still empty.
{divisions}"""


@dataclass(frozen=True)
class Settings:
    """The parsed `ika.toml`; `raw` keeps every table for the templates' context."""

    state: str = "PJY"
    count: str = "calendar"
    extra_holidays: dict[date, str] = field(default_factory=dict)
    inbox: str = "inbox"
    settle_seconds: float = 2.0
    poll_seconds: float = 0.0
    rescan_minutes: float = 5.0
    max_size_mb: float = 200.0
    max_pages: int = 1000
    max_seconds_per_document: float = 3600.0
    ocr_languages: str = "msa+eng"
    remind_waiting_days: int = 14
    raw: dict[str, Any] = field(default_factory=dict)
    ab: Sender | None = None  # AB: [organisation] as a writer of letters
    divisions: dict[str, Sender] = field(default_factory=dict)  # [divisions.KEY]

    @property
    def organisation(self) -> dict[str, Any]:
        return dict(self.raw.get("organisation", {}))

    @property
    def directory(self) -> dict[str, dict[str, Any]]:
        """Every addressee of letters (`--to KEY`): [directory.KEY], then each Division and
        agency of [divisions.KEY] that [directory] does not already name."""
        out = dict(self.raw.get("directory", {}))
        taken = {k.casefold() for k in out}
        ministry = str(self.organisation.get("name") or "")
        for key, sender in self.divisions.items():
            if key.casefold() not in taken:
                out[key] = addressee(sender, ministry)
        return out

    @property
    def signatories(self) -> dict[str, dict[str, Any]]:
        """Who signs for each writer (its first signatory), by the key `--set signatory=`
        takes: AB, then each Division and agency; [signatories] of an older ika.toml too."""
        out: dict[str, dict[str, Any]] = {}
        ministry = str(self.organisation.get("name") or "")
        for sender in [s for s in (self.ab,) if s] + list(self.divisions.values()):
            first = sender.signatories[0] if sender.signatories else None
            out[sender.key] = {
                "name": "" if first is None or first.placeholder else first.name,
                "post": first.post if first else "",
                "division": sender.name,
                "organisation": sender.name if sender.kind == "agensi" else ministry,
            }
        for key, entry in self.raw.get("signatories", {}).items():
            out.setdefault(key, dict(entry))
        return out

    def sender(self, key: str) -> Sender | None:
        """AB or a Division/agency by its key (any case)."""
        if self.ab is not None and key.strip().casefold() == AB.casefold():
            return self.ab
        for k, sender in self.divisions.items():
            if k.casefold() == key.strip().casefold():
                return sender
        return None

    def division_for(self, text: str | None) -> Sender | None:
        """The Division or agency a case's --division names: its key, full name or an alias
        (any case, any spacing); AB by its key or name. None when the directory has none."""
        if not text or not text.strip():
            return None
        for sender in self.divisions.values():
            if sender.matches(text):
                return sender
        if self.ab is not None and (norm(text) in (norm(AB), norm(self.ab.name))):
            return self.ab
        return None

    def division_name(self, text: str) -> str:
        """The canonical name for a --division given as a key or a name; other text as typed
        (an archive whose ika.toml has no [divisions] keeps working as before)."""
        found = self.division_for(text)
        return found.name if found is not None and found.name else " ".join(text.split())


def default_text(state: str = "PJY") -> str:
    from pipeline.documents.kdn import toml_text

    return DEFAULT_TOML.replace("{state}", state).replace("{divisions}", toml_text())


def parse(text: str, source: str = FILENAME) -> Settings:
    """Parse settings text; any mistake is a SettingsError naming the file and the key.

    Every value is checked here, once, at start: a wrong type or an absurd number (a NaN settle
    time would make `ika watch --once` wait for ever) is refused before anything is touched.
    The inbox's place relative to the archive is checked by archive.check_paths, which knows
    the archive's folder.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    for name in ("organisation", "calendar", "filing", "reminders", "documents", "register",
                 "directory", "signatories", "web", "divisions"):
        _table(raw, name, source)
    for name in ("directory", "signatories"):
        for key, entry in raw.get(name, {}).items():
            if not isinstance(entry, dict):
                raise SettingsError(f"{source}: {name}.{key} must be a table ([{name}.{key}])")
    cal = raw.get("calendar", {})
    fil = raw.get("filing", {})
    count = cal.get("count", "calendar")
    if count not in ("calendar", "working"):
        raise SettingsError(
            f"{source}: calendar.count must be 'calendar' or 'working', not {count!r}"
        )
    state = cal.get("state", "PJY")
    if not isinstance(state, str) or state.strip().upper() not in STATES:
        raise SettingsError(
            f"{source}: calendar.state must be one of {', '.join(sorted(STATES))}, "
            f"not {state!r}"
        )
    _check_strings(raw, source)
    ab = parse_organisation(raw, source)
    divisions = parse_divisions(raw, source)
    return Settings(
        state=state.strip().upper(),
        count=count,
        extra_holidays=_extra_holidays(cal, source),
        inbox=_path_text(fil, "filing", "inbox", "inbox", source),
        settle_seconds=_number(fil, "settle_seconds", 2.0, 0, 3600, source),
        poll_seconds=_number(fil, "poll_seconds", 0, 0, 3600, source),
        rescan_minutes=_number(fil, "rescan_minutes", 5, 0.1, 1440, source),
        max_size_mb=_number(fil, "max_size_mb", 200, 0.001, 1_000_000, source),
        max_pages=int(_number(fil, "max_pages", 1000, 1, 1_000_000, source, whole=True)),
        max_seconds_per_document=_number(fil, "max_seconds_per_document", 3600, 1, 604_800,
                                         source),
        ocr_languages=_ocr_languages(fil, source),
        remind_waiting_days=_waiting_days(raw.get("reminders", {}), source),
        raw=raw,
        ab=ab,
        divisions=divisions,
    )


def _table(raw: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{source}: {name} must be a table ([{name}]), not {value!r}")
    return value


def _extra_holidays(cal: dict[str, Any], source: str) -> dict[date, str]:
    table = cal.get("extra_holidays", {})
    if not isinstance(table, dict):
        raise SettingsError(
            f"{source}: calendar.extra_holidays must be a table of "
            f'"YYYY-MM-DD" = "name" lines, not {table!r}'
        )
    extra: dict[date, str] = {}
    for key, name in table.items():
        try:
            day = date.fromisoformat(str(key))
        except ValueError:
            raise SettingsError(
                f"{source}: calendar.extra_holidays: {key!r} is not a date (YYYY-MM-DD)"
            ) from None
        if not isinstance(name, str) or not name.strip():
            raise SettingsError(
                f"{source}: calendar.extra_holidays: the holiday on {key} needs a name in "
                f'quotes ("{key}" = "Cuti Peristiwa"), not {name!r}'
            )
        extra[day] = name.strip()
    return extra


def _number(table: dict[str, Any], key: str, default: float, low: float, high: float,
            source: str, whole: bool = False) -> float:
    """A finite number in [low, high]: NaN, infinity and negatives are refused by name."""
    value = table.get(key, default)
    ok = isinstance(value, int if whole else (int, float)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise SettingsError(
            f"{source}: filing.{key} must be {what} from {low:g} to {high:g}, not {value!r}"
        )
    return float(value)


def _path_text(table: dict[str, Any], section: str, key: str, default: str, source: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise SettingsError(f"{source}: {section}.{key} must name a folder, not {value!r}")
    return value


_LANGUAGES = re.compile(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*")


def _ocr_languages(fil: dict[str, Any], source: str) -> str:
    """Tesseract language codes joined by +; anything else would reach OCRmyPDF's command line."""
    value = fil.get("ocr_languages", "msa+eng")
    if not isinstance(value, str) or not _LANGUAGES.fullmatch(value):
        raise SettingsError(
            f"{source}: filing.ocr_languages must be Tesseract language codes joined by +, "
            f"like \"msa+eng\", not {value!r}"
        )
    return value


FILE_REF_FIELDS = frozenset({"year", "seq"})


def check_file_ref(pattern: Any, where: str) -> str:
    """A file reference pattern may use only {year} and {seq}: str.format would otherwise
    reach into attributes ({seq.__class__}) or fail on a case's creation."""
    if not isinstance(pattern, str):
        raise SettingsError(f"{where} must be text like \"KDN.AB.600-2/{{year}}/{{seq}}\", "
                            f"not {pattern!r}")
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        hint = "write {{ and }} for a brace"
        raise SettingsError(f"{where} {pattern!r}: {exc} ({hint})") from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FILE_REF_FIELDS or spec or conversion:
            raise SettingsError(
                f"{where} {pattern!r}: only {{year}} and {{seq}} may be filled in, "
                f"not {{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}"
            )
    return pattern


def _check_strings(raw: dict[str, Any], source: str) -> None:
    """Keys read as text elsewhere (file_ref, templates folder, register URL) are text here."""
    org = raw.get("organisation", {})
    if "file_ref" in org:
        check_file_ref(org["file_ref"], f"{source}: organisation.file_ref")
    docs = raw.get("documents", {})
    if "templates" in docs:
        _path_text(docs, "documents", "templates", "", source)
    reg = raw.get("register", {})
    if "url" in reg and (not isinstance(reg["url"], str) or not reg["url"].strip()):
        raise SettingsError(f"{source}: register.url must be a database URL, not {reg['url']!r}")


def _waiting_days(reminders: Any, source: str) -> int:
    value = reminders.get("waiting_days", 14) if isinstance(reminders, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise SettingsError(
            f"{source}: reminders.waiting_days must be a whole number of days (0 to 3650)"
        )
    return value


def load(path: Path) -> Settings:
    """The settings at `path`; a file that is not UTF-8 text, or not a file, is a SettingsError."""
    if not path.exists():
        return parse(default_text(), str(path))
    if not path.is_file():
        raise SettingsError(f"{path}: not a file (settings are a text file, ika.toml)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 TOML"
        ) from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse(text, str(path))
