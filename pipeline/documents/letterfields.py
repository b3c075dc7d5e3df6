"""The fields each document's template needs, as the SOP's documents declare them
(`pipeline.documents.catalogue`): a document's own, then those every document takes."""

from __future__ import annotations

from pipeline.documents.catalogue import COMMON, SECURITY_LEVELS, FieldSpec
from pipeline.errors import TemplateError
from pipeline.register import sop

__all__ = [
    "SECURITY_LEVELS",
    "SUMMARY_KEY",
    "FieldSpec",
    "document_of",
    "fields",
    "kept_fields",
    "security_level",
]

SUMMARY_KEY = "case-summary"


def security_level(raw: str | None, what: str) -> str | None:
    """TERHAD, SULIT, RAHSIA or RAHSIA BESAR, in any case; empty: none."""
    text = " ".join(str(raw or "").split()).upper()
    if not text:
        return None
    if text not in SECURITY_LEVELS:
        raise TemplateError(f"{what}: {raw!r} is not a security marking; use one of "
                            f"{', '.join(SECURITY_LEVELS)}")
    return text


def kept_fields() -> dict[str, FieldSpec]:
    """Every value the case keeps once given (`--set` on a letter, `ika case done --set`),
    by name: the first spec of each name says its kind."""
    out: dict[str, FieldSpec] = {}
    own = (f for _step, doc in sop.DOCUMENTS.values() for f in doc.fields)
    for spec in (*COMMON, *own):
        if spec.kept:
            out.setdefault(spec.name, spec)
    return out


def fields(doc_key: str) -> list[FieldSpec]:
    """The values a document takes through `--set`: its own first, then the common ones."""
    if doc_key == SUMMARY_KEY:
        return []
    return [*document_of(doc_key)[1].fields, *COMMON]


def document_of(doc_key: str) -> tuple[sop.Step, sop.Document]:
    try:
        return sop.DOCUMENTS[doc_key]
    except KeyError:
        known = ", ".join(sop.DOCUMENTS)
        raise TemplateError(
            f"no document {doc_key!r}; the SOP's documents are: {known}"
        ) from None
