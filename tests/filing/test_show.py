"""`ika show DOC-ID`: a document's metadata, history and paths that work from here."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import as_json

NEW = ["case", "new", "--title", "Kerjasama Keselamatan Sempadan", "--type", "mou",
       "--country", "Indonesia", "--division", "KKA", "--source", "kln",
       "--received", "2026-11-02"]


def test_show_a_generated_document_with_its_pdf_and_history(ika, archive: Path,
                                                            monkeypatch) -> None:
    case_id = ika(*NEW).stdout.strip()
    ika("doc", "make", case_id, "makluman-bahagian", "--by", "Aminah")
    data = as_json(ika("show", "doc-000001", "--json"))
    assert data["doc_id"] == "DOC-000001" and data["case"] == case_id
    assert data["kind"] == "generated" and data["countries"] == ["ID"]
    assert [e["action"] for e in data["history"]] == ["doc.generated"]
    assert data["history"][0]["by"] == "Aminah"
    # paths work from where the command runs
    monkeypatch.chdir(archive.parent)
    data = as_json(ika("show", "DOC-000001", "--json"))
    assert all(Path(p).exists() for p in data["paths"])
    assert not os.path.isabs(data["paths"][0])
    human = ika("show", "DOC-000001").stdout
    assert "Memorandum Persefahaman" in human and "Indonesia" in human
    assert data["paths"][0] in human


def test_show_an_unknown_document_is_one_error_line(ika) -> None:
    res = ika("show", "DOC-999999", expect=1)
    assert res.output == "Error: no document 'DOC-999999'; `ika search` finds documents\n"
