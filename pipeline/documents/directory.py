"""Who writes the letters: AB (ika.toml's [organisation]) and the Divisions and agencies of
the Ministry ([divisions.KEY]), each with its letterhead, file reference and signatories.

settings.parse() checks the types of every entry (a wrong type is a SettingsError naming the
key); what is merely *empty* (an officer's name, a file reference) loads, is listed by
`ika doc check`, and stops only the letter that needs it, naming the key to fill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import SettingsError

AB = "AB"  # the organisation's own key: AB, the Division that runs the SOP
KINDS = ("bahagian", "agensi")
_TEXT_KEYS = ("name", "name_en", "head", "phone", "fax", "email", "website", "crest",
              "file_ref", "division", "division_en", "kind")


@dataclass(frozen=True)
class Signatory:
    name: str
    post: str
    on_behalf: str = ""  # "b.p. Ketua Setiausaha" under the post, when they sign for someone

    @property
    def placeholder(self) -> bool:
        """An empty name, or a stand-in like "(NAMA PEGAWAI)" from an earlier ika.toml."""
        name = self.name.strip()
        return not name or (name.startswith("(") and name.endswith(")")) or \
            "NAMA PEGAWAI" in name.upper()


@dataclass(frozen=True)
class Sender:
    """A writer of letters: its letterhead, its file reference, its signatories."""

    key: str
    kind: str  # "organisation" (AB) | "bahagian" | "agensi"
    name: str  # the Division's or agency's full name
    name_en: str
    head: str  # whom letters to it are addressed to ("Setiausaha Bahagian")
    address: tuple[str, ...]
    phone: str
    fax: str
    email: str
    website: str
    file_ref: str  # pattern: {year} and {seq} filled from the case
    signatories: tuple[Signatory, ...]
    aliases: tuple[str, ...]
    where: str  # its table in ika.toml: "organisation" or "divisions.KKA"
    signatories_where: str  # where its signatories are: "organisation.signatories" ...
    crest: str = ""

    def matches(self, text: str) -> bool:
        wanted = norm(text)
        return bool(wanted) and wanted in {norm(x) for x in (self.key, self.name, *self.aliases)}

    def missing(self) -> list[str]:
        """The ika.toml keys a letter from this sender needs and does not have."""
        out = []
        if not self.address:
            out.append(f"{self.where}.address")
        if not self.file_ref.strip():
            out.append(f"{self.where}.file_ref")
        if not self.signatories:
            out.append(f"{self.signatories_where} (name and post of who signs)")
        for i, s in enumerate(self.signatories, 1):
            if s.placeholder:
                out.append(f"{self.signatory_key(i)}.name")
            if not s.post.strip():
                out.append(f"{self.signatory_key(i)}.post")
        return out

    def missing_optional(self) -> list[str]:
        return [f"{self.where}.{k}" for k in ("phone", "email") if not getattr(self, k).strip()]

    def signatory_key(self, i: int) -> str:
        """The ika.toml key of its i-th signatory (1-based)."""
        if self.signatories_where.startswith("signatories."):  # a legacy [signatories.AB]
            return self.signatories_where
        return f"{self.signatories_where}[{i}]"


def norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# ---------------------------------------------------------------- parsing


def _text(table: Mapping[str, Any], key: str, where: str, source: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise SettingsError(f"{source}: {where}.{key} must be text in quotes, not {value!r}")
    return value.strip()


def _lines(table: Mapping[str, Any], key: str, where: str, source: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(
            f"{source}: {where}.{key} must be a list of lines in quotes, "
            f'like ["Aras 7, Blok D1", "62546 PUTRAJAYA"], not {value!r}'
        )
    return tuple(v.strip() for v in value if v.strip())


def _signatories(value: Any, where: str, source: str) -> tuple[Signatory, ...]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise SettingsError(
            f'{source}: {where} must be a list like [{{ name = "...", post = "..." }}], '
            f"not {value!r}"
        )
    out = []
    for i, s in enumerate(value, 1):
        here = f"{where}[{i}]"
        if not isinstance(s, dict):
            raise SettingsError(
                f'{source}: {here} must be {{ name = "...", post = "..." }}, not {s!r}'
            )
        out.append(Signatory(_text(s, "name", here, source), _text(s, "post", here, source),
                             _text(s, "on_behalf", here, source)))
    return tuple(out)


def check_pattern(pattern: str, where: str) -> None:
    from pipeline.settings import check_file_ref

    if pattern:
        check_file_ref(pattern, where)


def parse_organisation(raw: Mapping[str, Any], source: str) -> Sender:
    """AB: the organisation's letterhead, AB's file reference and signatories."""
    org = raw.get("organisation", {})
    for key in _TEXT_KEYS:
        if key in org:
            _text(org, key, "organisation", source)
    slogans = org.get("slogans", [])
    if isinstance(slogans, str):
        slogans = [slogans]
    if not isinstance(slogans, list) or not all(isinstance(s, str) for s in slogans):
        raise SettingsError(
            f'{source}: organisation.slogans must be a list like ["MALAYSIA MADANI", '
            f'"BERKHIDMAT UNTUK NEGARA"], not {slogans!r}'
        )
    if "signatories" in org:
        sigs = _signatories(org["signatories"], "organisation.signatories", source)
        sig_where = "organisation.signatories"
    else:  # an ika.toml of an earlier version: [signatories.AB]
        legacy = raw.get("signatories", {}).get(AB)
        sigs = _signatories(legacy, "signatories.AB", source) if legacy is not None else ()
        sig_where = "signatories.AB" if legacy is not None else "organisation.signatories"
    return Sender(
        key=AB,
        kind="organisation",
        name=_text(org, "division", "organisation", source),
        name_en=_text(org, "division_en", "organisation", source),
        head="Setiausaha Bahagian",
        address=_lines(org, "address", "organisation", source),
        phone=_text(org, "phone", "organisation", source),
        fax=_text(org, "fax", "organisation", source),
        email=_text(org, "email", "organisation", source),
        website=_text(org, "website", "organisation", source),
        file_ref=_text(org, "file_ref", "organisation", source),
        signatories=sigs,
        aliases=(),
        where="organisation",
        signatories_where=sig_where,
        crest=_text(org, "crest", "organisation", source),
    )


def parse_divisions(raw: Mapping[str, Any], source: str) -> dict[str, Sender]:
    """[divisions.KEY] tables; a wrong type, a missing name or two entries with one name are
    SettingsErrors (a case's --division must resolve to one entry)."""
    table = raw.get("divisions", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: divisions must be tables ([divisions.KEY]), not {table!r}")
    out: dict[str, Sender] = {}
    seen: dict[str, str] = {}
    for key, entry in table.items():
        where = f"divisions.{key}"
        if not isinstance(entry, dict):
            raise SettingsError(f"{source}: {where} must be a table ([{where}])")
        for k in _TEXT_KEYS:
            if k in entry:
                _text(entry, k, where, source)
        name = _text(entry, "name", where, source)
        if not name:
            raise SettingsError(f"{source}: {where}.name must be the full name, e.g. "
                                '"Bahagian Keselamatan dan Ketenteraman Awam"')
        kind = _text(entry, "kind", where, source) or "bahagian"
        if kind not in KINDS:
            raise SettingsError(f"{source}: {where}.kind must be one of {', '.join(KINDS)}, "
                                f"not {kind!r}")
        file_ref = _text(entry, "file_ref", where, source)
        check_pattern(file_ref, f"{source}: {where}.file_ref")
        sender = Sender(
            key=str(key),
            kind=kind,
            name=name,
            name_en=_text(entry, "name_en", where, source),
            head=_text(entry, "head", where, source)
            or ("Setiausaha Bahagian" if kind == "bahagian" else "Ketua Pengarah"),
            address=_lines(entry, "address", where, source),
            phone=_text(entry, "phone", where, source),
            fax=_text(entry, "fax", where, source),
            email=_text(entry, "email", where, source),
            website=_text(entry, "website", where, source),
            file_ref=file_ref,
            signatories=_signatories(entry.get("signatories", []), f"{where}.signatories",
                                     source),
            aliases=_lines(entry, "aliases", where, source),
            where=where,
            signatories_where=f"{where}.signatories",
            crest=_text(entry, "crest", where, source),
        )
        for label in (key, name, *sender.aliases):
            other = seen.get(norm(label))
            if other is not None and other != key:
                raise SettingsError(
                    f"{source}: divisions.{other} and {where} are both called {label!r}; "
                    "a case's --division must name one of them"
                )
            seen[norm(label)] = str(key)
        out[str(key)] = sender
    return out


# ---------------------------------------------------------------- views


def find_addressee(directory: Mapping[str, Any], key: str) -> tuple[str, Any] | None:
    """An addressee of the directory (`settings.directory`) by its key in any case (`--to kln`
    finds KLN): the directory's own spelling of the key and the entry; None if none."""
    wanted = key.strip().casefold()
    for k, v in directory.items():
        if k.casefold() == wanted:
            return k, v
    return None


def addressee(sender: Sender, ministry: str) -> dict[str, Any]:
    """A Division or agency as an addressee of letters (the shape of [directory.KEY])."""
    if sender.kind == "agensi":
        return {"name": sender.head, "organisation": sender.name,
                "address": list(sender.address), "salutation": "Tuan/Puan,"}
    return {"name": sender.head, "organisation": sender.name,
            "address": [x for x in (ministry, *sender.address) if x],
            "salutation": "Tuan/Puan,"}
