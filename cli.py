"""The `ika` command: parse options, call pipeline/, print. No business logic here.

Heavy libraries (SQLAlchemy, holidays, rich, docxtpl, whoosh) are imported inside the
commands that need them, so `ika --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from pipeline.errors import IkaError


class IkaGroup(click.Group):
    """Turns the library's named errors into one `Error: ...` line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IkaError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if type(exc).__module__.startswith("sqlalchemy"):
                msg = str(exc).splitlines()[0]
                raise click.ClickException(f"register error: {msg}") from None
            raise


def archive_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--archive",
        "archive_path",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="IKA_ARCHIVE",
        default="archive",
        show_default=True,
        help="The archive folder (or set IKA_ARCHIVE).",
    )(f)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def by_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--by", help="Who did it (default: the OS user).")(f)


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD)", param, ctx)


DATE = DateType()


def _open(path: Path):  # -> pipeline.archive.Archive
    from pipeline.archive import open_archive

    return open_archive(path)


def _print_json(value: Any) -> None:
    # Indented for a person at a terminal; compact (and much faster) when piped.
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def _echo_lines(lines: list[str]) -> None:
    """Print many lines in one write: `ika due` may have thousands."""
    click.echo("\n".join(lines))


@click.group(cls=IkaGroup)
@click.version_option(package_name="ika-records")
def main() -> None:
    """IKA Records: track, write, file and find the Ministry's international
    cooperation instruments (MOUs, treaties, agreements ...) along the SOP."""


@main.command()
@archive_option
@click.option("--state", default="PJY", show_default=True, help="State whose holidays apply.")
def init(archive_path: Path, state: str) -> None:
    """Create an archive with default settings (safe to run again)."""
    from pipeline.archive import init_archive

    _, created = init_archive(archive_path, state)
    word = "created" if created else "already there; nothing overwritten"
    click.echo(f"archive {archive_path}: {word}")


# ------------------------------------------------------------------ case


@main.group(cls=IkaGroup)
def case() -> None:
    """Open cases and move them through the SOP's steps."""


@case.command("new")
@archive_option
@click.option("--title", required=True, help="What the instrument is about.")
@click.option("--type", "type_", required=True, help="Instrument type: id or Malay/English name.")
@click.option(
    "--country",
    "countries",
    multiple=True,
    required=True,
    help="Counterpart country (any name or code); repeat for several.",
)
@click.option("--level", help="bilateral | multilateral | regional (default: from countries).")
@click.option("--division", required=True, help="The Division that leads the case.")
@click.option(
    "--source", type=click.Choice(["kln", "embassy", "management"]), help="Who sent the request."
)
@click.option("--received", type=DATE, help="Date the request was received (default: today).")
@click.option("--file-ref", help="The file reference (Ruj. Kami); default from ika.toml.")
@click.option("--their-ref", help="The sender's reference (Ruj. Tuan).")
@by_option
def case_new(
    archive_path: Path,
    title: str,
    type_: str,
    countries: tuple[str, ...],
    level: str | None,
    division: str,
    source: str | None,
    received: date | None,
    file_ref: str | None,
    their_ref: str | None,
    by: str | None,
) -> None:
    """Open a case at step 1 and print its id."""
    from pipeline.cases import new_case

    case_id = new_case(
        _open(archive_path),
        title=title,
        type=type_,
        countries=countries,
        level=level,
        division=division,
        source=source,
        received=received,
        file_ref=file_ref,
        their_ref=their_ref,
        by=by,
    )
    click.echo(case_id)


@case.command("list")
@archive_option
@click.option("--status", type=click.Choice(["open", "closed", "rejected", "withdrawn"]))
@click.option("--overdue", is_flag=True, help="Only cases with an overdue step.")
@click.option("--country", help="Only cases with this counterpart.")
@click.option("--type", "type_", help="Only cases of this instrument type.")
@click.option("--division", help="Only cases of this Division (its name or a part of it).")
@json_option
def case_list(
    archive_path: Path,
    status: str | None,
    overdue: bool,
    country: str | None,
    type_: str | None,
    division: str | None,
    as_json: bool,
) -> None:
    """List cases and where each stands."""
    from pipeline import cases, clock, report

    rows = cases.list_cases(
        _open(archive_path), status=status, overdue=overdue, country=country, type=type_,
        division=division,
    )
    if as_json:
        _print_json(rows)
    else:
        lines: list[str] = []
        report.print_case_list(lines.append, rows, clock.today())
        _echo_lines(lines)


@case.command("show")
@archive_option
@click.argument("case_id", metavar="CASE")
@json_option
def case_show(archive_path: Path, case_id: str, as_json: bool) -> None:
    """Show a case's timeline (every step with actor, due, done, status), its documents
    and its history."""
    from pipeline import cases, clock, filing, report

    arc = _open(archive_path)
    data = cases.get_case(arc, case_id)
    data["documents"] = filing.documents_of(arc, data["id"])
    data["history"] = cases.history(arc, case_id)
    if as_json:
        _print_json(data)
    else:
        lines: list[str] = []
        report.print_case(lines.append, data, clock.today())
        _echo_lines(lines)


@case.command("done")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.argument("step", type=int)
@click.option("--date", "on", type=DATE, help="Completion date (default: today).")
@click.option("--note", help="A note for the history.")
@by_option
def case_done(
    archive_path: Path, case_id: str, step: int, on: date | None, note: str | None, by: str | None
) -> None:
    """Complete the case's current step."""
    from pipeline import cases, report

    tl = cases.complete_step(_open(archive_path), case_id, step, on=on, note=note, by=by)
    click.echo(report.progress_line(case_id.strip().upper(), step, tl))


@case.command("decide")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--approve/--reject", default=None, help="YA (approve) or TIDAK (reject).")
@click.option("--date", "on", type=DATE, help="Date of the decision (default: today).")
@click.option("--note", help="A note for the history.")
@by_option
def case_decide(
    archive_path: Path,
    case_id: str,
    approve: bool | None,
    on: date | None,
    note: str | None,
    by: str | None,
) -> None:
    """Record top management's decision on the Minit Cerai (YA/TIDAK)."""
    from pipeline import cases, report, sop

    if approve is None:
        raise click.UsageError("give --approve (YA) or --reject (TIDAK)")
    tl = cases.decide(_open(archive_path), case_id, approve=approve, on=on, note=note, by=by)
    click.echo(report.progress_line(case_id.strip().upper(), sop.DECISION_STEP, tl))


@case.command("schedule")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--start", required=True, type=DATE, help="Agreed first day of negotiation.")
@click.option(
    "--days",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many days it lasts.",
)
@click.option("--venue", help="Where it takes place.")
@by_option
def case_schedule(
    archive_path: Path, case_id: str, start: date, days: int, venue: str | None, by: str | None
) -> None:
    """Set the negotiation's agreed dates (its due date is the last day)."""
    from pipeline import cases, report, sop

    tl = cases.schedule(_open(archive_path), case_id, start=start, days=days, venue=venue, by=by)
    click.echo(
        report.progress_line(case_id.strip().upper(), sop.SCHEDULED_STEP, tl, scheduled=True)
    )


@case.command("edit")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--title", help="What the instrument is about.")
@click.option("--type", "type_", help="Instrument type: id or Malay/English name.")
@click.option("--country", "countries", multiple=True,
              help="The counterparts, all of them (replaces the list); repeat for several.")
@click.option("--level", help="bilateral | multilateral | regional.")
@click.option("--division", help="The Division that leads the case.")
@click.option("--source", type=click.Choice(["kln", "embassy", "management"]))
@click.option("--file-ref", help="The file reference (Ruj. Kami).")
@click.option("--their-ref", help="The sender's reference (Ruj. Tuan).")
@by_option
def case_edit(archive_path: Path, case_id: str, title: str | None, type_: str | None,
              countries: tuple[str, ...], level: str | None, division: str | None,
              source: str | None, file_ref: str | None, their_ref: str | None,
              by: str | None) -> None:
    """Correct a case's facts; each change is kept in its history as old -> new."""
    from pipeline import cases

    changes = cases.edit_case(
        _open(archive_path), case_id, by=by, title=title, type=type_,
        countries=countries or None, level=level, division=division, source=source,
        file_ref=file_ref, their_ref=their_ref,
    )
    for c in changes:
        click.echo(f"{case_id.upper()}: {c.field} {_shown(c.old)} -> {_shown(c.new)}")


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "—"
    return ",".join(value) if isinstance(value, list) else repr(value)


@case.command("undo")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--reason", required=True, help="Why (kept in the history).")
@by_option
def case_undo(archive_path: Path, case_id: str, reason: str, by: str | None) -> None:
    """Reopen the last completed step, the decision, or a withdrawal."""
    from pipeline import cases, report

    what, tl = cases.undo(_open(archive_path), case_id, reason=reason, by=by)
    click.echo(f"{case_id.upper()}: {what}; {report.where_now(tl)}")


@case.command("withdraw")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--reason", required=True, help="Why the case will not go on.")
@click.option("--date", "on", type=DATE, help="Date of the withdrawal (default: today).")
@by_option
def case_withdraw(archive_path: Path, case_id: str, reason: str, on: date | None,
                  by: str | None) -> None:
    """End a case that will not go on (status withdrawn); its documents are kept."""
    from pipeline import cases

    cases.withdraw(_open(archive_path), case_id, reason=reason, on=on, by=by)
    click.echo(f"{case_id.upper()}: withdrawn")


# ------------------------------------------------------------------ due


@main.command()
@archive_option
@click.option("--within", type=click.IntRange(min=0, max=36500),
              help="Only steps due within N days (and waits that need a reminder).")
@click.option("--division", help="Only this Division's cases (its name or a part of it).")
@json_option
def due(archive_path: Path, within: int | None, division: str | None, as_json: bool) -> None:
    """Every open case's current step: overdue first, then due, then waiting on others."""
    from pipeline import cases, report

    rows = cases.due(_open(archive_path), within=within, division=division)
    if as_json:
        _print_json(rows)
    else:
        lines: list[str] = []
        report.print_due(lines.append, rows)
        _echo_lines(lines)


# ------------------------------------------------------------------ documents


@main.group(cls=IkaGroup)
def doc() -> None:
    """Make the letters and minutes the SOP's steps call for, from Word templates."""


@doc.command("list")
@archive_option
@click.argument("case_id", metavar="CASE")
@json_option
def doc_list(archive_path: Path, case_id: str, as_json: bool) -> None:
    """What the case's steps call for, and the versions made so far."""
    from pipeline import docmaker

    data = docmaker.listing(_open(archive_path), case_id)
    if as_json:
        _print_json(data)
        return
    for row in data["documents"]:
        versions: dict[tuple[str, int], list[str]] = {}
        for m in row["made"]:
            versions.setdefault((m["name"], m["version"]), []).append(m["format"])
        made = ", ".join(f"{name} v{v} ({'+'.join(fmts)})"
                         for (name, v), fmts in versions.items()) or "not made"
        each = " (one per --to)" if row["per_addressee"] else ""
        click.echo(f"step {row['step']}  {row['document']:<20} {row['title']}{each}: {made}")
    for f in data["filed"]:
        click.echo(f"filed   {f['doc_id']}  {f['name']}")


@doc.command("make")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.argument("document", metavar="DOC")
@click.option("--to", "to", multiple=True,
              help="Addressee key from ika.toml [directory] (KLN, AGC, PUU-KDN ...); "
                   "repeat for one letter each.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="A field of the template; repeat for several.")
@click.option("--pdf", is_flag=True, help="Also make a PDF (LibreOffice).")
@by_option
def doc_make(archive_path: Path, case_id: str, document: str, to: tuple[str, ...],
             sets: tuple[str, ...], pdf: bool, by: str | None) -> None:
    """Render DOC for CASE, file it in the case, and print its path."""
    from pipeline import docmaker

    arc = _open(archive_path)
    for filed in docmaker.make(arc, case_id, document, to=to,
                               overrides=docmaker.parse_sets(sets), pdf=pdf, by=by):
        click.echo(str(filed.path))


@doc.command("check")
@archive_option
def doc_check(archive_path: Path) -> None:
    """Render every template against sample cases and report problems."""
    from pipeline import docmaker, templatecheck
    from pipeline.clock import today

    problems = templatecheck.check_templates(docmaker.templates_dir(_open(archive_path)), today())
    for p in problems:
        click.echo(p, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} template problem(s)")
    click.echo("all templates render")


@case.command("summary")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the HTML here instead of stdout.")
def case_summary(archive_path: Path, case_id: str, output: Path | None) -> None:
    """A one-page HTML summary of the case: its timeline against the SOP's deadlines."""
    from pipeline import cases, clock, docmaker, letters

    arc = _open(archive_path)
    data = cases.get_case(arc, case_id)
    data["history"] = cases.history(arc, case_id)
    html = letters.render_summary_html(
        letters.summary_context(data, arc.settings, clock.today()),
        templates_dir=docmaker.templates_dir(arc),
    )
    if output:
        output.write_text(html, encoding="utf-8")
        click.echo(str(output))
    else:
        click.echo(html)


# ------------------------------------------------------------------ filing


def _log(message: str) -> None:
    from pipeline.clock import now

    click.echo(f"{now():%Y-%m-%d %H:%M:%S} {message}")


def _quiet_libraries() -> None:
    """pypdf warns about every repaired cross-reference table; the outcome line says enough."""
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)


@main.command()
@archive_option
@click.option("--once", is_flag=True, help="File what is in the inbox now, then exit.")
@click.option("--poll", type=click.FloatRange(min=0.1), default=None,
              help="Poll every SECONDS instead of native events (for network shares).")
def watch(archive_path: Path, once: bool, poll: float | None) -> None:
    """Watch the inbox and file every document dropped into it."""
    from pipeline.watcher import Watcher

    _quiet_libraries()
    watcher = Watcher(_open(archive_path), poll=poll, log=_log)
    if once:
        outcomes = watcher.once()
        failed = sum(o.status == "failed" for o in outcomes)
        _log(f"{len(outcomes)} file(s): {len(outcomes) - failed} filed, {failed} failed")
        return
    watcher.install_signal_handlers()
    watcher.run()


@main.command("file")
@archive_option
@click.argument("paths", nargs=-1, required=True, metavar="PATH|DOC-ID...")
@click.option("--case", "case_id", help="File into this case (or re-link DOC-IDs to it).")
@click.option("--password", help="Password of an encrypted PDF.")
@by_option
def file_cmd(archive_path: Path, paths: tuple[str, ...], case_id: str | None,
             password: str | None, by: str | None) -> None:
    """File documents now, through the same pipeline as the watcher.

    A path in the inbox or failed/ is removed once filed; a path elsewhere is left as it is.
    A DOC-ID with --case re-links an already filed document to that case.
    """
    from pipeline import intake

    _quiet_libraries()
    failed = intake.file_many(_open(archive_path), list(paths), case_id=case_id,
                              password=password, by=by, log=_log)
    if failed:
        raise click.ClickException(f"{failed} of {len(paths)} not filed")


@main.command()
@archive_option
@json_option
def unassigned(archive_path: Path, as_json: bool) -> None:
    """Filed documents not linked to any case (re-link with `ika file DOC-ID --case CASE`)."""
    from pipeline import relink

    rows = relink.unassigned(_open(archive_path))
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        countries = ",".join(r["countries"]) or "-"
        click.echo(f"{r['doc_id']}  {r['type'] or '-':<12} {countries:<10} {r['name']}")
    click.echo(f"{len(rows)} unassigned document(s)")


@main.command()
@archive_option
def verify(archive_path: Path) -> None:
    """Re-hash every filed file; report missing or changed ones (exit 1 if any)."""
    from pipeline.fixity import verify as run_verify

    checked, problems = run_verify(_open(archive_path))
    for p in problems:
        click.echo(p.line())
    click.echo(f"{checked} file(s) checked, {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


# ------------------------------------------------------------------ search


@main.command()
@archive_option
@click.argument("query", required=False)
@click.option("--country", help="Counterpart country, any name or code.")
@click.option("--type", "type_", help="Instrument type: id or Malay/English name.")
@click.option("--level", help="bilateral | multilateral | regional (or dua hala ...).")
@click.option("--case", "case_id", help="Only documents of this case.")
@click.option("--year", type=int, help="Year of signature (else of filing).")
@click.option("--from", "date_from", type=DATE, help="From this date (signed, else filed).")
@click.option("--to", "date_to", type=DATE, help="Up to this date.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@json_option
def search(archive_path: Path, query: str | None, country: str | None, type_: str | None,
           level: str | None, case_id: str | None, year: int | None, date_from: date | None,
           date_to: date | None, limit: int, as_json: bool) -> None:
    """Find filed documents by words (Malay or English) and filters, with facet counts."""
    from pipeline import report, search_sync

    result = search_sync.search(
        _open(archive_path), query, country=country, type=type_, level=level, case=case_id,
        year=year, date_from=date_from, date_to=date_to, limit=limit,
    )
    if as_json:
        _print_json(result)
        return
    lines: list[str] = []
    report.print_search(lines.append, result)
    _echo_lines(lines)


@main.command()
@archive_option
def reindex(archive_path: Path) -> None:
    """Rebuild the search index from the register and the files."""
    from pipeline import search_sync

    n = search_sync.rebuild(_open(archive_path))
    click.echo(f"indexed {n} document(s)")


if __name__ == "__main__":
    sys.exit(main())
