"""The archive's settings, `ika.toml`: one place that knows its keys and their defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import SettingsError

FILENAME = "ika.toml"

# Written by `ika init`; users edit it. Kept as text so the comments survive.
DEFAULT_TOML = """\
# IKA Records — settings of this archive. Edit freely; `ika init` never overwrites this file.

[organisation]
name = "Kementerian Dalam Negeri"
division = "Bahagian Antarabangsa"
address = [
  "Aras 7, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]
phone = "03-8886 3000"
fax = "03-8889 1613"
email = "ab@moha.gov.my"
website = "www.moha.gov.my"
# Printed above the closing, in capitals, one per line.
slogans = ["BERKHIDMAT UNTUK NEGARA"]
# The case file reference: {year} and {seq} are filled in; a case's --file-ref overrides it.
file_ref = "KDN.AB.600-2/{year}/{seq}"

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
ocr_languages = "msa+eng"

[reminders]
# `ika due` shows how long a step has waited on someone else (top management's decision,
# a negotiation's agreed dates) and marks it REMIND after this many days (0: never).
waiting_days = 14

# Addressees of letters: `ika doc make ... --to KEY`.
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

[directory.PDRM]
name = "Ketua Polis Negara"
organisation = "Polis Diraja Malaysia"
address = ["Ibu Pejabat Polis Diraja Malaysia", "Bukit Aman", "50560 KUALA LUMPUR"]

[directory.JIM]
name = "Ketua Pengarah Imigresen"
organisation = "Jabatan Imigresen Malaysia"
address = ["No. 15, Persiaran Perdana, Presint 2", "62550 PUTRAJAYA"]

[directory.APMM]
name = "Ketua Pengarah Maritim"
organisation = "Agensi Penguatkuasaan Maritim Malaysia"
address = ["Aras 4-11, One IOI Square, IOI Resort", "62502 PUTRAJAYA"]

[directory.AADK]
name = "Ketua Pengarah"
organisation = "Agensi Antidadah Kebangsaan"
address = ["Jalan Maktab Perguruan Islam", "43000 KAJANG, SELANGOR"]

[directory.JPN]
name = "Ketua Pengarah Pendaftaran Negara"
organisation = "Jabatan Pendaftaran Negara"
address = ["No. 20, Persiaran Perdana, Presint 2", "62551 PUTRAJAYA"]

[directory.RELA]
name = "Ketua Pengarah"
organisation = "Jabatan Sukarelawan Malaysia (RELA)"
address = ["Aras 2-7, Blok D1, Kompleks D", "62546 PUTRAJAYA"]

[directory.PENGURUSAN]
name = "Ketua Setiausaha"
organisation = "Kementerian Dalam Negeri"
address = [
  "Aras 10, Blok D1, Kompleks D",
  "Pusat Pentadbiran Kerajaan Persekutuan",
  "62546 PUTRAJAYA",
]

# Who signs: the step's actor ("AB" or "Division") picks the signatory unless --set signatory=KEY.
[signatories.AB]
name = "(NAMA PEGAWAI)"
post = "Setiausaha Bahagian"
division = "Bahagian Antarabangsa"
organisation = "Kementerian Dalam Negeri"

[signatories.Division]
name = "(NAMA PEGAWAI)"
post = "Setiausaha Bahagian"
division = "(Bahagian yang berkaitan)"
organisation = "Kementerian Dalam Negeri"
"""


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
    ocr_languages: str = "msa+eng"
    remind_waiting_days: int = 14
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def organisation(self) -> dict[str, Any]:
        return dict(self.raw.get("organisation", {}))

    @property
    def directory(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("directory", {}))

    @property
    def signatories(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("signatories", {}))


def default_text(state: str = "PJY") -> str:
    return DEFAULT_TOML.replace("{state}", state)


def parse(text: str, source: str = FILENAME) -> Settings:
    """Parse settings text; any mistake is a SettingsError naming the file and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    cal = raw.get("calendar", {})
    fil = raw.get("filing", {})
    count = str(cal.get("count", "calendar"))
    if count not in ("calendar", "working"):
        raise SettingsError(
            f"{source}: calendar.count must be 'calendar' or 'working', not {count!r}"
        )
    extra: dict[date, str] = {}
    for key, name in dict(cal.get("extra_holidays", {})).items():
        try:
            extra[date.fromisoformat(str(key))] = str(name)
        except ValueError:
            raise SettingsError(
                f"{source}: calendar.extra_holidays: {key!r} is not a date (YYYY-MM-DD)"
            ) from None
    try:
        return Settings(
            state=str(cal.get("state", "PJY")).upper(),
            count=count,
            extra_holidays=extra,
            inbox=str(fil.get("inbox", "inbox")),
            settle_seconds=float(fil.get("settle_seconds", 2.0)),
            poll_seconds=float(fil.get("poll_seconds", 0)),
            rescan_minutes=float(fil.get("rescan_minutes", 5)),
            max_size_mb=float(fil.get("max_size_mb", 200)),
            ocr_languages=str(fil.get("ocr_languages", "msa+eng")),
            remind_waiting_days=_waiting_days(raw.get("reminders", {}), source),
            raw=raw,
        )
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: [filing] {exc}") from None


def _waiting_days(reminders: Any, source: str) -> int:
    value = reminders.get("waiting_days", 14) if isinstance(reminders, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise SettingsError(
            f"{source}: reminders.waiting_days must be a whole number of days (0 to 3650)"
        )
    return value


def load(path: Path) -> Settings:
    if not path.exists():
        return parse(default_text(), str(path))
    return parse(path.read_text(encoding="utf-8"), str(path))
