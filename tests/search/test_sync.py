"""Keeping the index in step with the register: a document the index cannot take keeps none of
the others out of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.archive import open_archive
from pipeline.search import sync


def test_one_document_the_index_refuses_keeps_no_other_out(
    ika, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n, words in enumerate(["perjanjian ekstradisi", "pemerdagangan orang", "dadah"]):
        note = tmp_path / f"nota-{n}.txt"
        note.write_text(f"Nota {n} mengenai {words}.\n", encoding="utf-8")
        ika("file", str(note))
    arc = open_archive(archive)
    with arc.register.write() as conn:  # as after a failed write: all three to be caught up
        conn.exec_driver_sql("UPDATE documents SET indexed = 0")
    ids = sorted(sync.unindexed(arc))
    assert len(ids) == 3
    real = sync.writer.add_documents

    def refusing(index_dir, rows):  # a bug that strikes one document (what the stemmer did)
        rows = list(rows)
        if any(row["doc_id"] == ids[1] for row in rows):
            raise RecursionError("maximum recursion depth exceeded")
        return real(index_dir, rows)

    monkeypatch.setattr(sync.writer, "add_documents", refusing)
    assert sync.index_documents(arc, ids) is False
    assert sync.unindexed(arc) == [ids[1]]
    monkeypatch.setattr(sync.writer, "add_documents", real)
    assert sync.index_documents(arc, sync.unindexed(arc)) is True
    assert sync.unindexed(arc) == []
    arc.register.dispose()
