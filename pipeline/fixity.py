"""Fixity: re-hash every filed file and say, by name, which are missing or changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from .archive import Archive
from .filing import sha256_of
from .register import documents


@dataclass(frozen=True)
class Problem:
    doc_id: str
    path: str
    problem: str  # missing | changed

    def line(self) -> str:
        return f"{self.problem.upper():8s} {self.doc_id}  {self.path}"


def verify(arc: Archive) -> tuple[int, list[Problem]]:
    """(files checked, problems). Originals and their OCR copies are both checked."""
    checked = 0
    problems: list[Problem] = []
    for doc_id, rel, sha in _expected(arc):
        checked += 1
        path = arc.root / rel
        if not path.is_file():
            problems.append(Problem(doc_id, rel, "missing"))
        elif sha256_of(path) != sha:
            problems.append(Problem(doc_id, rel, "changed"))
    return checked, problems


def _expected(arc: Archive) -> Iterator[tuple[str, str, str]]:
    query = select(documents.c.id, documents.c.path, documents.c.sha256, documents.c.ocr_path,
                   documents.c.ocr_sha256).order_by(documents.c.id)
    with arc.register.read() as conn:
        rows = conn.execute(query).all()
    for r in rows:
        yield r.id, r.path, r.sha256
        if r.ocr_path and r.ocr_sha256:
            yield r.id, r.ocr_path, r.ocr_sha256
