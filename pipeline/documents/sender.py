"""Who writes a letter and signs it: the step's actor (AB or the case's Division) or the one
`--set signatory=` names, its letterhead, its file reference (Ruj. Kami), its signatory."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.documents.catalogue import DIVISION
from pipeline.documents.directory import AB, Sender, Signatory
from pipeline.errors import TemplateError
from pipeline.settings import Settings


class Crest:
    """The letterhead's crest image, a file already checked; render() makes it an image."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return ""



def pick_sender(settings: Settings, case: Mapping[str, Any], who: str | None, actor: str,
                doc_key: str) -> tuple[Sender, int]:
    """The writer and which of its signatories signs: the step's actor and its first, or
    `--set signatory=KEY`, `KEY:N`, `N` (AB, Division or a [divisions] key)."""
    key, index = actor, 1
    if who and str(who).strip():
        text = str(who).strip()
        head, _, tail = text.partition(":")
        if head.strip().isdigit() and not tail:
            index = int(head)
        else:
            key = head.strip() or actor
            if tail:
                if not tail.strip().isdigit():
                    raise TemplateError(
                        f"{doc_key}: --set signatory={text!r}: use KEY or KEY:N (AB:2)"
                    )
                index = int(tail)
    if key.casefold() == DIVISION.casefold():
        sender = case_division(settings, case, doc_key)
    else:
        found = settings.sender(key)
        if found is None:
            known = ", ".join([AB, DIVISION, *settings.divisions])
            raise TemplateError(
                f"{doc_key}: --set signatory={who!r}: no writer {key!r}; known: {known}"
            )
        sender = found
    if index < 1 or (sender.signatories and index > len(sender.signatories)):
        raise TemplateError(
            f"{doc_key}: {sender.name} has {len(sender.signatories)} signator"
            f"{'y' if len(sender.signatories) == 1 else 'ies'} in ika.toml "
            f"({sender.signatories_where}), not a number {index}"
        )
    return sender, index


def case_division(settings: Settings, case: Mapping[str, Any], doc_key: str) -> Sender:
    name = str(case.get("division") or "")
    found = settings.division_for(name)
    if found is None:
        raise TemplateError(
            f"{doc_key}: the case's Division {name!r} is not in ika.toml [divisions]: add "
            f'[divisions.KEY] with name = "{name}", its address, file_ref and signatories, '
            f"or correct the case with `ika case edit {case.get('id')} --division KEY` "
            f"(known: {', '.join(settings.divisions) or 'none'})"
        )
    return found


def our_reference(sender: Sender, case: Mapping[str, Any], sets: Mapping[str, str]) -> Any:
    """Ruj. Kami: AB's is the case's file reference; a Division's is the case's own with that
    Division (`ruj_bahagian`), else its [divisions] file_ref filled with the case's year and
    number. None when unknown (then _check_sender names the key to fill)."""
    if sender.key == AB:
        return case.get("file_ref")
    if str(sets.get("ruj_bahagian") or "").strip():
        return str(sets["ruj_bahagian"]).strip()
    m = re.fullmatch(r"IKA-(\d{4})-(\d+)", str(case.get("id") or ""))
    if not sender.file_ref or not m:
        return None
    return sender.file_ref.format(year=m.group(1), seq=m.group(2))


def check_sender(doc_key: str, sender: Sender, index: int, ctx: Mapping[str, Any],
                 sets: Mapping[str, str]) -> None:
    """What the writer lacks in ika.toml: one error naming every key to fill."""
    keys = []
    if not sender.address:
        keys.append(f"{sender.where}.address")
    if not ctx.get("ruj_kami") and not str(sets.get("ruj_kami") or "").strip():
        if sender.key == AB:
            keys.append(f"{sender.where}.file_ref (or `ika case edit --file-ref`)")
        else:
            keys.append(f"{sender.where}.file_ref (or --set ruj_bahagian=...)")
    if not sender.signatories:
        keys.append(f"{sender.signatories_where} (name and post of who signs)")
    else:
        s = sender.signatories[index - 1]
        where = sender.signatory_key(index)
        if s.placeholder:
            keys.append(f"{where}.name")
        if not s.post.strip():
            keys.append(f"{where}.post")
    if keys:
        raise TemplateError(
            f"{doc_key}: {sender.name} writes this letter and ika.toml lacks what it needs: "
            f"fill in {', '.join(keys)}"
        )


def letterhead(sender: Sender, settings: Settings, root: Path | None,
               doc_key: str) -> dict[str, Any]:
    """The writer's letterhead: for AB and a Division, the Ministry's name (English beneath)
    and the Division's; for an agency, its own names. Its own address and contacts."""
    org = settings.organisation
    agency = sender.kind == "agensi"
    crest_key = f"{sender.where}.crest" if sender.crest else "organisation.crest"
    crest = crest_path(sender.crest or str(org.get("crest") or ""), root, crest_key)
    return {
        "jata": Crest(crest) if crest else None,
        "nama": sender.name if agency else org.get("name"),
        "nama_en": sender.name_en if agency else org.get("name_en"),
        "bahagian": None if agency else sender.name,
        "alamat": list(sender.address),
        "telefon": sender.phone,
        "faks": sender.fax,
        "emel": sender.email,
        "laman_web": sender.website or (None if agency else org.get("website")),
    }


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def crest_path(value: str, root: Path | None, key: str = "organisation.crest") -> Path | None:
    """The crest's file: a path inside the archive or an absolute one, readable, PNG, JPEG or
    GIF. Empty: no crest. A relative path with no archive to resolve it against: no crest
    (only a preview of values asks so)."""
    text = (value or "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        if root is None:
            return None
        base = Path(root).resolve()
        path = (base / path).resolve()
        if not path.is_relative_to(base):
            raise TemplateError(
                f"ika.toml {key} = {text!r}: a relative path must stay inside the archive "
                f"({base}); give an absolute path for a file elsewhere"
            )
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise TemplateError(
            f"ika.toml {key} = {text!r}: cannot read {path} ({exc.strerror or exc}); "
            "put the crest image there or empty the setting"
        ) from None
    if not any(head.startswith(m) for m in _IMAGE_MAGIC):
        raise TemplateError(f"ika.toml {key} = {text!r}: {path} is not a PNG, JPEG or GIF image")
    return path


def signer(sender: Sender, index: int, org: Mapping[str, Any]) -> dict[str, Any]:
    s = sender.signatories[index - 1] if sender.signatories else Signatory("", "")
    agency = sender.kind == "agensi"
    return {
        "nama": None if s.placeholder else s.name,
        "jawatan": s.post or None,
        "bahagian": None if agency else sender.name,
        "bp": s.on_behalf or None,
        "organisasi": sender.name if agency else org.get("name"),
    }

