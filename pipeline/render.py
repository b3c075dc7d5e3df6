"""Human-readable output of cases and deadlines: plain aligned tables, Malay dates.

A small formatter rather than rich: `ika due` over ten thousand cases must print in well
under a second. Overdue steps are written OVERDUE and, on a terminal, in bold red.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.register.model import Case, DueItem, Event
from pipeline.register.timeline import Timeline
from pipeline.vocab.malay import malay_date

if TYPE_CHECKING:
    from pipeline.filing.document import DocumentRecord, DocumentShown
    from pipeline.filing.fixity import Problem, Repair
    from pipeline.filing.intake import Outcome
    from pipeline.filing.kinds import KindChange
    from pipeline.filing.relink import Relinked
    from pipeline.search.hits import SearchResult

Echo = Callable[[str], None]

STYLE = {
    "done": {"fg": "green"},
    "open": {"fg": "yellow"},
    "overdue": {"fg": "red", "bold": True},
    "waiting": {"dim": True},
    "skipped": {"dim": True},
}


def fmt(day: date | str | None) -> str:
    """A date in Malay; "—" for none. (An ISO string still comes from the document records.)"""
    if not day:
        return "—"
    return malay_date(date.fromisoformat(day) if isinstance(day, str) else day)


def status_label(status: str, due: date | None, today: date) -> str:
    if status == "overdue" and due:
        return f"OVERDUE {(today - due).days}d"
    return status


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Sequence[str | None] | None = None,
    *,
    max_width: dict[int, int] | None = None,
) -> list[str]:
    """Rows padded into columns; `styles[i]` colours row i (a key of STYLE). A cell longer
    than its column's `max_width` wraps onto continuation lines: nothing is cut."""
    max_width = max_width or {}
    limits = [max_width.get(i) for i in range(len(headers))]
    cells = [
        [_wrap(c, w) if (w and len(c) > w) or "\n" in c else [c]
         for c, w in zip(map(str, r), limits, strict=True)]
        for r in rows
    ]
    widths = [len(h) for h in headers]
    for r in cells:
        for i, c in enumerate(r):
            for part in c:
                if len(part) > widths[i]:
                    widths[i] = len(part)
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    for n, r in enumerate(cells):
        style = STYLE.get(styles[n] or "") if styles else None
        height = max(map(len, r))
        for k in range(height):
            if height == 1:
                parts = [c[0] for c in r]
            else:
                parts = [c[k] if k < len(c) else "" for c in r]
            text = "  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip()
            out.append(click.style(text, **style) if style else text)
    return out


def _wrap(text: str, width: int | None) -> list[str]:
    """A cell's lines: its own line breaks kept, each line wrapped at `width`."""
    lines = []
    for part in text.split("\n"):
        if width is None or len(part) <= width:
            lines.append(part)
        else:
            lines.extend(textwrap.wrap(part, width, break_on_hyphens=False) or [""])
    return lines


def countries_ms(codes: Sequence[str]) -> str:
    """Counterparts by the names a person reads: 'Korea Selatan, Jepun'."""
    from pipeline.vocab.countries import country_name_ms, is_grouping

    return ", ".join(c if is_grouping(c) else country_name_ms(c) for c in codes)


def print_case(echo: Echo, case: Case, today: date, *,
               documents: Sequence[DocumentRecord] = (), history: Sequence[Event] = ()) -> None:
    from pipeline.register import sop
    from pipeline.vocab.instruments import level_name_ms, type_name_ms

    names = ", ".join(country_label(c) for c in case.countries)
    echo(click.style(f"{case.id}  {case.title}", bold=True))
    echo(f"{type_name_ms(case.type)} · {level_name_ms(case.level)} · {names}")
    echo(f"Division: {case.division}    File ref: {case.file_ref or '—'}    "
         f"Their ref: {case.their_ref or '—'}")
    status = case.status
    if case.withdrawn:
        status += f" on {fmt(case.withdrawn)}"
    if case.decision:
        status += f" · decision {case.decision} on {fmt(case.decision_date)}"
    echo(
        f"Received {fmt(case.received)} · status {status} · "
        f"SOP target (5 weeks): {fmt(case.target_date)}"
    )
    neg = case.negotiation
    if neg.start:
        venue = f" at {neg.venue}" if neg.venue else ""
        echo(f"Negotiation {fmt(neg.start)} – {fmt(neg.end)}{venue}")
    echo("")
    rows, styles = [], []
    for s in case.steps:
        marker = "▶" if s.n == case.current_step else " "
        label = status_label(s.status, s.due, today)
        if s.late_days:
            label += f", {s.late_days}d late"
        # Only the decision step says when the Minit Cerai was submitted.
        sent = s.submitted if s.n == sop.DECISION_STEP else None
        if sent and s.status == "waiting":
            label = "waiting for decision"
        rows.append([
            f"{marker}{s.n}", s.name, s.actor, fmt(s.due), fmt(s.done), label,
        ])
        styles.append(s.status)
    for line in table(["step", "work", "actor", "due", "done", "status"], rows, styles,
                      max_width={1: 48}):
        echo(line)
    submitted = next((s for s in case.steps if s.n == sop.DECISION_STEP and s.submitted),
                     None)
    if submitted:
        late = submitted.late_days
        timing = f"{late} days late" if late else "on time"
        echo(f"Minit Cerai submitted to top management {fmt(submitted.submitted)} "
             f"({timing}, due {fmt(submitted.due)})")
    docs = documents
    if docs:
        echo("")
        echo(click.style("Documents", bold=True))
        for d in docs:
            step = f"step {d.step}" if d.step else "      "
            version = f" v{d.version}" if d.kind == "generated" else ""
            echo(f"  {d.doc_id}  {step}  {d.name}{version}  {d.path}")
    if history:
        echo("")
        echo(click.style("History", bold=True))
        for e in history:
            note = f" — {e.note}" if e.note else ""
            echo(f"  {e.at.isoformat(sep=' ')}  {e.by}  {e.action}{note}")


def print_case_list(echo: Echo, rows: Sequence[Case], today: date) -> None:
    from pipeline.vocab.instruments import type_name_ms

    if not rows:
        echo("no cases")
        return
    out, styles = [], []
    for c in rows:
        cur = c.current
        out.append([
            c.id, c.title, type_name_ms(c.type), countries_ms(c.countries),
            c.division, c.status, str(c.current_step or "—"),
            fmt(cur.due) if cur else "—",
            status_label(cur.status, cur.due, today) if cur else "",
        ])
        styles.append(cur.status if cur else None)
    headers = ["case", "title", "type", "countries", "division", "status", "step", "due",
               "step status"]
    for line in table(headers, out, styles, max_width={1: 36, 2: 24, 3: 24, 4: 28}):
        echo(line)
    echo(f"{len(rows)} case(s)")


def print_due(echo: Echo, rows: Sequence[DueItem]) -> None:
    """Every open case's current step: what is overdue, what is due, and what waits on
    someone else (with how long it has waited, REMIND past the reminder setting)."""
    if not rows:
        echo("nothing due")
        return
    out, styles = [], []
    for r in rows:
        late = r.overdue_days
        if r.status == "waiting":
            state = f"WAITING {r.waiting_days}d" if r.waiting_days is not None else "WAITING"
            if r.reminder:
                state = f"REMIND: {state}"
            style = "overdue" if r.reminder else "waiting"
        else:
            state, style = (f"OVERDUE {late}d", "overdue") if late else ("due", "open")
        case = f"{r.case}\n{countries_ms(r.countries)}"
        out.append([
            case, f"{r.title}\n{r.division}", str(r.step), r.name, r.actor,
            fmt(r.due) if r.due and r.status != "waiting" else "—", state,
        ])
        styles.append(style)
    for line in table(["case", "title / division", "step", "work", "actor", "due", "status"],
                      out, styles,
                      max_width={1: 34, 3: 30}):
        echo(line)
    late = sum(1 for r in rows if r.overdue_days)
    waiting = sum(1 for r in rows if r.status == "waiting")
    echo(f"{len(rows)} open case(s): {late} overdue, {waiting} waiting on others")


def where_now(tl: Timeline) -> str:
    """Where a case stands after a change, in one clause."""
    if tl.current is None:
        return f"case {tl.status}"
    s = tl.current_state
    assert s is not None
    if s.status == "waiting" and s.submitted:
        return f"step {s.n} waits for top management's decision"
    due = fmt(s.due) if s.due else "not yet scheduled"
    return f"current step {s.n} ({s.actor}) due {due}"


def progress_line(case_id: str, step: int, tl: Timeline, *, scheduled: bool = False) -> str:
    """One line after a change: what happened and what is next."""
    if scheduled:
        s = next(s for s in tl.steps if s.n == step)
        head = f"{case_id}: step {step} scheduled, due {fmt(s.due)}"
    elif tl.current == step:  # the decision step's first moment
        head = f"{case_id}: step {step} Minit Cerai submitted"
    else:
        head = f"{case_id}: step {step} done"
    if tl.current is None:
        return f"{head}; case {tl.status}"
    nxt = next(s for s in tl.steps if s.n == tl.current)
    if nxt.status == "waiting" and nxt.submitted:
        return f"{head}; waiting for top management's decision (YA/TIDAK)"
    due = fmt(nxt.due) if nxt.due else "not yet scheduled"
    return f"{head}; next step {nxt.n} ({nxt.actor}) due {due}"


def country_label(code: str) -> str:
    """'Korea Selatan (KR)'; a grouping such as ASEAN is its own name."""
    from pipeline.vocab.countries import country_name_ms, is_grouping

    return code if is_grouping(code) else f"{country_name_ms(code)} ({code})"


def print_search(echo: Echo, result: SearchResult) -> None:
    """Ranked hits with their snippets (matches in bold), then the facets of the whole result."""
    from pipeline.vocab.instruments import level_name_ms, type_name_ms

    country = country_label

    total = result.total
    hits = result.hits
    echo(f"{total} document(s)" + (f", showing {len(hits)}" if len(hits) < total else ""))
    for n, h in enumerate(hits, 1):
        echo("")
        echo(click.style(f"{n:>2}. {h.title or h.filename}", bold=True))
        meta = [h.doc_id or "", h.case or "unassigned", h.kind or "-"]
        if h.type:
            meta.append(type_name_ms(h.type))
        meta.append(", ".join(country(c) for c in h.countries) or "-")
        if h.level:
            meta.append(level_name_ms(h.level))
        if h.signed:
            meta.append(f"ditandatangani {fmt(h.signed)}")
        elif h.date:
            meta.append(f"difailkan {fmt(h.date)}")
        echo("    " + " · ".join(meta))
        if h.snippet:
            echo("    " + _bold_marks(h.snippet.replace("\n", " ")))
        for path in [f.path for f in h.files] or [h.path]:  # a letter's .docx and .pdf
            echo(f"    {path}")
    if not total:
        return
    echo("")
    facets = result.facets
    names = {"country": country, "type": type_name_ms, "level": level_name_ms}
    for name in ("country", "type", "level", "kind", "year"):
        counts = facets.get(name) or {}
        label = names.get(name, str)
        shown = ", ".join(f"{label(k)} {v}" for k, v in counts.items() if v)
        if shown:
            echo(f"{name + ':':9s}{shown}")


def kind_change_line(change: KindChange) -> str:
    """`ika file DOC-ID --kind K`: what changed, or that nothing did."""
    if not change.changed:
        return f"{change.doc_id} is already {change.new}"
    return f"{change.doc_id}: kind {change.old} -> {change.new}"


def _bold_marks(snippet: str) -> str:
    """The index marks matched words «like this»; a terminal shows them in bold."""
    return re.sub(r"«(.*?)»", lambda m: click.style(m.group(1), bold=True), snippet)


def outcome_line(outcome: Outcome, root: Path) -> str:
    """One filing outcome, as the watcher's and `ika file`'s log say it."""
    o = outcome
    name = _path_shown(o.path, root)
    if o.status == "filed":
        case = f" case {o.case_id}" if o.case_id else " unassigned"
        how = f" ({o.how})" if o.how and o.how not in ("unassigned", "given") else ""
        note = f" ({o.note})" if o.note else ""
        return f"filed   {name} -> {o.doc_id}{case}{how}{note}"
    if o.status == "duplicate":
        note = f" ({o.note})" if o.note else ""
        return f"dup     {name}: {o.reason}{note}"
    if o.status == "failed":
        return f"failed  {name}: {o.reason}"
    if o.status == "queued":
        return f"queued  {name}: {o.reason}"
    return f"skipped {name}: {o.reason}"


def _path_shown(path: Path, root: Path) -> str:
    from pipeline.filing.snapshot import shown

    try:
        return shown(path.relative_to(root).as_posix())
    except ValueError:
        return shown(path)


_PROBLEM_WHY = {
    "unknown": "  (not in the register; `ika verify --repair` sets it aside)",
    "leftover": "  (partial copy of a process that is gone; --repair removes it)",
    "indexed": "  (in the search index, not in the register; --repair removes it)",
}


def problem_line(p: Problem) -> str:
    """One problem `ika verify` found."""
    from pipeline.filing.snapshot import shown

    why = _PROBLEM_WHY.get(p.problem, "")
    return f"{p.problem.upper():8s} {p.doc_id or '-'}  {shown(p.path)}{why}"


def print_document(echo: Echo, d: DocumentShown) -> None:
    """`ika show DOC-ID`: what the document is, where it is, what happened to it."""
    from pipeline.vocab.instruments import level_name_ms, type_name_ms

    echo(click.style(f"{d.doc_id}  {d.title or d.name}", bold=True))
    facts = [d.kind, d.case or "unassigned"]
    if d.step:
        facts.append(f"step {d.step}")
    if d.type:
        facts.append(type_name_ms(d.type))
    if d.level:
        facts.append(level_name_ms(d.level))
    facts.append(countries_ms(d.countries or []) or "-")
    echo(" · ".join(facts))
    if d.signed:
        place = f", {d.signed_place}" if d.signed_place else ""
        echo(f"Ditandatangani {fmt(d.signed)}{place}")
    echo(f"File name: {d.name}" + (f" (v{d.version})" if d.kind == "generated" else ""))
    echo(f"Filed {d.filed_at.isoformat(sep=' ')} · {d.size} bytes · sha256 {d.sha256}")
    for p in d.paths:
        echo(f"  {p}")
    for r in d.renditions:
        echo(f"  {r.path}  ({r.format}, {r.doc_id})")
    if d.history:
        echo("")
        echo(click.style("History", bold=True))
        for e in d.history:
            note = f" — {e.note}" if e.note else ""
            echo(f"  {e.at.isoformat(sep=' ')}  {e.by}  {e.action}{note}")


def relink_line(r: Relinked) -> str:
    """A document linked to a case (`ika file DOC-ID --case CASE`, the inbox's link)."""
    if r.already:
        return f"{r.doc_id} is already in {r.case_id}"
    steps = f"; step {' and '.join(map(str, r.steps))} done" if r.steps else ""
    return f"linked  {r.doc_id} -> {r.case_id}{steps}"


def repair_line(r: Repair) -> str:
    """One thing `ika verify --repair` (or the watcher at start) did."""
    from pipeline.filing.snapshot import shown

    if r.action == "removed":
        return f"removed {r.path}: partial copy of a process that is gone"
    if r.action == "not_set_aside":
        return f"could not set aside {shown(r.path)}: {r.why}"
    if r.action == "set_aside":
        return f"set aside {shown(r.path)} -> {shown(r.dest or '')}: {r.why}"
    return f"unindexed {r.path}: in the search index, not in the register"
