"""Whom a letter goes to: its addressee (`--to`, else the document's default), its copies
(s.k.), and for an invitation the invitees; and the addressee's own letter it answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pipeline.documents.catalogue import DIVISION, Copy, Document
from pipeline.documents.directory import AB, Sender, find_addressee
from pipeline.documents.sender import case_division
from pipeline.documents.values import directory_name, key_name, lines, ms_date, step_of
from pipeline.errors import TemplateError
from pipeline.settings import Settings


def addressee(
    document: Document, case: Mapping[str, Any], settings: Settings, to_key: str | None
) -> dict[str, Any]:
    """The letter's addressee (`kepada`): `--to`, else the document's default (a directory
    key or the case's Division); without either, "Seperti Senarai Edaran" where the document
    has a distribution list."""
    doc_key = document.key
    directory = settings.directory
    key = to_key or document.to
    if key is None:
        if document.distribution:
            return {"edaran": True, "nama": "Seperti Senarai Edaran", "salam": "Tuan/Puan,",
                    "alamat": []}
        raise TemplateError(
            f"{doc_key}: give the addressee with --to KEY, one of: {', '.join(directory)}"
        )
    if key == DIVISION:
        division = case_division(settings, case, doc_key)
        entry = directory.get(division.key) or {}
        if not division.address:
            raise TemplateError(
                f"{doc_key}: the letter goes to {division.name}, whose address ika.toml lacks: "
                f"fill in {division.where}.address"
            )
        return {
            "kunci": division.key,
            "nama": division.head,
            "organisasi": division.name,
            "alamat": list(entry.get("address") or division.address),
            "salam": "Tuan/Puan,",
        }
    found = find_addressee(directory, key)
    if found is None:
        raise TemplateError(
            f"{doc_key}: no addressee {key!r} in ika.toml [directory] or [divisions]; "
            f"known: {', '.join(directory) or 'none'}"
        )
    real, entry = found
    return {
        "kunci": real,
        "nama": entry.get("name"),
        "organisasi": entry.get("organisation"),
        "alamat": lines(entry.get("address")),
        "salam": entry.get("salutation") or "Tuan/Puan,",
    }


def _ab_line(settings: Settings) -> str:
    ab = find_addressee(settings.directory, AB)
    org = settings.organisation
    if ab:
        return ", ".join(str(ab[1][k]) for k in ("name", "organisation") if ab[1].get(k))
    return f"Setiausaha Bahagian, {org.get('division')}, {org.get('name')}"


def _jki_line(case: Mapping[str, Any], settings: Settings) -> str:
    org = settings.organisation
    return f"Urusetia JK-i, {org.get('division')}, {org.get('name')}"


def _division_line(case: Mapping[str, Any], settings: Settings) -> str:
    """The head of the case's Division: an agency's own head, else its Setiausaha Bahagian."""
    org = settings.organisation
    division = settings.division_for(str(case.get("division") or ""))
    if division is not None and division.kind == "agensi":
        return f"{division.head}, {division.name}"
    return f"Setiausaha Bahagian, {case.get('division')}, {org.get('name')}"


# The line of s.k. each of a document's `copies` stands for.
COPIES: dict[Copy, Callable[[Mapping[str, Any], Settings], str]] = {
    "AB": lambda case, settings: _ab_line(settings),
    "JK-i": _jki_line,
    "Division": _division_line,
}


def copies(document: Document, case: Mapping[str, Any], settings: Settings) -> list[str]:
    """The document's copies (s.k.) by default, as lines."""
    return [COPIES[c](case, settings) for c in document.copies]

def their_letter(ctx: dict[str, Any], doc_key: str, case: Mapping[str, Any], sender: Sender,
                 sets: Mapping[str, str]) -> None:
    """Ruj. Tuan and the letter the opening sentence cites: KLN's own letter on a letter back
    to KLN; AB's letter (its file reference, step 1's date) on the Division's letters to AB."""
    kepada = ctx.get("kepada") or {}
    to = str(kepada.get("kunci") or "")
    ref: Any = None
    day: Any = None
    if to.casefold() == "kln" and case.get("source") == "kln":
        ref, day = ctx.get("ruj_surat"), ctx.get("tarikh_surat")
    elif to.casefold() == AB.casefold() and sender.key != AB:
        ref, day = case.get("file_ref"), ms_date(step_of(case, 1).get("done"))
    if "ruj_tuan" in sets:
        ref = ctx.get("ruj_tuan") or ref if sets["ruj_tuan"].strip() else None
    ctx["ruj_tuan"] = ref
    if day:  # the reference stands on the Ruj. Tuan line: the sentence gives the date
        ctx["surat_tuan"] = f"surat tuan bertarikh {day}"



def distinct(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        k = key_name(item)
        if k and k not in seen:
            seen.add(k)
            out.append(item)
    return out


def names_addressee(item: str, kepada: Mapping[str, Any]) -> bool:
    """Whether a line of s.k. or a listed invitee is the letter's own addressee."""
    org = str(kepada.get("organisasi") or "")
    key = str(kepada.get("kunci") or "")
    text = key_name(item)
    if not org and not key:
        return False
    return (bool(org) and (text == key_name(org) or text.endswith(key_name(org)))) or \
        (bool(key) and item.strip().endswith(f"({key})"))


def invitation(ctx: dict[str, Any], sets: Mapping[str, str], directory: Mapping[str, Any],
               to_key: str | None, recipients: Sequence[str]) -> None:
    """Who is invited, once each: KLN, the mission, AGC and the BJA (or `jemputan`), and every
    --to of the run. A letter to one of them lists the others as "turut dihadiri"; the one
    letter "Seperti Senarai Edaran" lists, beside the distribution list, those it does not
    reach (the mission, whom KLN is asked to invite)."""
    kes = ctx["kes"]
    parties: list[tuple[str | None, str]] = []  # (directory key or None, printed name)

    def add(item: str) -> None:
        found = find_addressee(directory, item)
        if found is None:  # "Polis Diraja Malaysia (PDRM)" as _who printed it
            m = re.search(r"\(([^()]+)\)\s*$", item)
            found = find_addressee(directory, m.group(1)) if m else None
        if found is None:
            for k, v in directory.items():
                if key_name(item) == key_name(str(v.get("organisation") or "")):
                    found = (k, v)
                    break
        if found is not None:
            parties.append((found[0], directory_name(found[0], directory)))
        else:
            parties.append((None, item))

    if "jemputan" in sets and ctx.get("jemputan") is not None:
        for item in ctx.get("jemputan") or []:
            add(str(item))
    else:
        for item in ("KLN", kes.get("kedutaan"), "AGC", *(ctx.get("bja") or [])):
            if item:
                add(str(item))
    for key in recipients:
        add(key)
    seen: set[str] = set()
    invited: list[tuple[str | None, str]] = []
    for key, name in parties:
        marks = {key_name(name)} | ({key.casefold()} if key else set())
        if marks & seen:
            continue
        seen |= marks
        invited.append((key, name))
    ctx["jemputan"] = [name for _, name in invited]
    kepada = ctx.get("kepada") or {}
    mission = kes.get("kedutaan")
    kln_invited = any(k and k.casefold() == "kln" for k, _ in invited)
    mission_invited = bool(mission) and any(n == mission for _, n in invited)
    if kepada.get("edaran"):
        edaran = []
        for key, _name in invited:
            if key is None:
                continue
            entry = directory[key]
            edaran.append({"kunci": key, "nama": entry.get("name"),
                           "organisasi": entry.get("organisation"),
                           "alamat": lines(entry.get("address"))})
        ctx["edaran"] = edaran
        ctx["turut"] = [name for key, name in invited if key is None]
        if mission_invited and kln_invited:
            ctx["jemputan_kedutaan"] = ("Kementerian Luar Negeri juga dipohon untuk "
                                        f"memanjangkan jemputan ini kepada {mission}.")
    else:
        to = (to_key or "").casefold()
        ctx["turut"] = [name for key, name in invited
                        if not ((key and key.casefold() == to) or names_addressee(name, kepada))]
        if mission_invited and to == "kln":
            ctx["jemputan_kedutaan"] = ("Pihak tuan/puan juga dipohon untuk memanjangkan "
                                        f"jemputan ini kepada {mission}.")

