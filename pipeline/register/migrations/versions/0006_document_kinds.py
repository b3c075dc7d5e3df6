"""Kinds of document (schema version 6).

`documents.kind` said where a document came from: `generated` (by `ika doc make`) or `filed`
(from outside). It now says what the document is: `instrument` (a negotiated text, draft or
signed), `correspondence` (letters and notes received) or `generated`. Generated documents
keep theirs; every other document is judged on its own text by the rule filing uses
(pipeline.vocab.kinds.decide_kind) — the counterparts and type it took from its case (a
doc.inherited event) do not count. No column changes: the values do.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

from pipeline.vocab.kinds import KIND_IDS, decide_kind

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT d.id, d.case_id, d.type, d.countries, t.text FROM documents d "
        "LEFT JOIN texts t ON t.doc_id = d.id WHERE d.kind NOT IN ('generated', "
        "'instrument', 'correspondence') ORDER BY d.id"
    )).all()
    for row in rows:
        doc_type, countries = row.type, json.loads(row.countries or "[]")
        notes = conn.execute(sa.text(
            "SELECT case_id, note FROM events WHERE doc_id = :d AND action = 'doc.inherited' "
            "ORDER BY id"), {"d": row.id}).all()
        inherited = next((n.note for n in reversed(notes) if n.case_id == row.case_id), None)
        if inherited and " from " in inherited:
            taken = {f.strip() for f in inherited.rsplit(" from ", 1)[0].split(",")}
            if "type" in taken:
                doc_type = None
            if "countries" in taken:
                countries = []
        kind = decide_kind(doc_type, countries, row.text)
        assert kind in KIND_IDS
        conn.execute(sa.text("UPDATE documents SET kind = :k WHERE id = :d"),
                     {"k": kind, "d": row.id})
    op.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
