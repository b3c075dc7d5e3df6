"""The `ika` command: parse options, call pipeline/, print. No business logic here.

Heavy libraries (SQLAlchemy, holidays, rich, docxtpl, whoosh) are imported inside the
commands that need them, so `ika --help` stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from pipeline.errors import IkaError


class IkaGroup(click.Group):
    """Turns the library's named errors into one `Error: ...` line and exit 1.

    So does an OSError the library did not expect (no permission, a folder that is not
    there, a full disk): it is about the machine, not a bug, and the file it names says what
    to fix. Any other exception is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from pipeline.text import printable

        try:
            return super().invoke(ctx)
        except IkaError as exc:
            raise click.ClickException(printable(str(exc))) from None
        except BrokenPipeError:
            raise  # `ika due | head`: click ends quietly
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(printable(f"{exc.strerror or exc}{where}")) from None
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


class YearsType(click.ParamType):
    """A year, or a comma list of years ("2024,2025")."""

    name = "YEAR"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        years = []
        for part in str(value).split(","):
            if part.strip():
                try:
                    years.append(int(part))
                except ValueError:
                    self.fail(f"{part.strip()!r} is not a valid integer.", param, ctx)
        return tuple(years)


YEARS = YearsType()


def _open(path: Path):  # -> pipeline.archive.Archive
    from pipeline.archive import open_archive

    return open_archive(path)


def _print_json(value: Any) -> None:
    """A result in its JSON shape (pipeline/serialize.py)."""
    from pipeline.serialize import to_json
    from pipeline.text import json_safe

    # Indented for a person at a terminal; compact (and much faster) when piped.
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json_safe(json.dumps(to_json(value), ensure_ascii=False, indent=indent,
                                    default=str)))


def _echo_lines(lines: list[str]) -> None:
    """Print many lines in one write: `ika due` may have thousands."""
    click.echo("\n".join(lines))


def _human(value: Any, depth: int = 64) -> Any:
    """A record as a person may see it: no escape codes or control characters in its values
    (pipeline/text.py says why the values, not the finished lines, are cleaned). depth=3 for
    long lists of rows whose nested parts (a case's steps) are not printed."""
    from pipeline.text import printable_data

    return printable_data(value, depth)


def _say(text: str, *, err: bool = False) -> None:
    """One line that carries user values (names, paths, titles), made printable."""
    from pipeline.text import printable

    click.echo(printable(text), err=err)


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
    _say(f"archive {archive_path}: {word}")


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
@click.option("--security", metavar="MARKING",
              help="Security marking of the case's documents: TERHAD, SULIT, RAHSIA ...")
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
    security: str | None,
    by: str | None,
) -> None:
    """Open a case at step 1 and print its id. --division takes a key of ika.toml's
    [divisions] (KKA, PDRM ...) or a name; it is kept by its full name."""
    from pipeline.register.cases import new_case

    arc = _open(archive_path)
    case_id = new_case(
        arc,
        title=title,
        type=type_,
        countries=countries,
        level=level,
        division=division,
        source=source,
        received=received,
        file_ref=file_ref,
        their_ref=their_ref,
        security=security,
        by=by,
    )
    click.echo(case_id)
    if arc.settings.division_for(division) is None:
        _say(f"note: {division!r} is not in ika.toml [divisions]; the Division's letters will "
             f"need an entry there (or `ika case edit {case_id} --division KEY`)", err=True)


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
    from pipeline import clock
    from pipeline import render as report
    from pipeline.register import cases

    rows = cases.list_cases(
        _open(archive_path), status=status, overdue=overdue, country=country, type=type_,
        division=division,
    )
    if as_json:
        _print_json(rows)
    else:
        lines: list[str] = []
        report.print_case_list(lines.append, _human(rows, depth=3), clock.today())
        _echo_lines(lines)


@case.command("show")
@archive_option
@click.argument("case_id", metavar="CASE")
@json_option
def case_show(archive_path: Path, case_id: str, as_json: bool) -> None:
    """Show a case's timeline (every step with actor, due, done, status), its documents
    and its history."""
    from pipeline import clock
    from pipeline import render as report
    from pipeline.filing import store as filing
    from pipeline.register import cases
    from pipeline.serialize import to_json

    arc = _open(archive_path)
    case = cases.get_case(arc, case_id)
    documents = filing.documents_of(arc, case.id)
    history = cases.history(arc, case_id)
    if as_json:
        _print_json({**to_json(case), "documents": to_json(documents), "history": history})
    else:
        lines: list[str] = []
        report.print_case(lines.append, _human(case), clock.today(),
                          documents=_human(documents), history=_human(history))
        _echo_lines(lines)


@case.command("done")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.argument("step", type=int)
@click.option("--date", "on", type=DATE, help="Completion date (default: today).")
@click.option("--note", help="A note for the history.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="What the step learnt, kept for later letters (hasil_mesyuarat=..., "
                   "kehadiran=KLN; AGC, tempat=...); repeat for several.")
@by_option
def case_done(
    archive_path: Path, case_id: str, step: int, on: date | None, note: str | None,
    sets: tuple[str, ...], by: str | None
) -> None:
    """Complete the case's current step."""
    from pipeline import render as report
    from pipeline.documents import docmaker
    from pipeline.register import cases

    arc = _open(archive_path)
    values = docmaker.parse_sets(sets)
    if values:  # checked before the step is marked done
        cases.check_case_values(values)
    tl = cases.complete_step(arc, case_id, step, on=on, note=note, by=by)
    if values:
        for c in cases.set_case_values(arc, case_id, dict(values), by=by):
            _say(f"{case_id.upper()}: {c.field} {_shown(c.old)} -> {_shown(c.new)}")
    click.echo(report.progress_line(case_id.strip().upper(), step, tl))


@case.command("decide")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--approve", is_flag=True, help="YA: top management approves.")
@click.option("--reject", is_flag=True, help="TIDAK: top management does not.")
@click.option("--date", "on", type=DATE, help="Date of the decision (default: today).")
@click.option("--note", help="A note for the history.")
@by_option
def case_decide(
    archive_path: Path,
    case_id: str,
    approve: bool,
    reject: bool,
    on: date | None,
    note: str | None,
    by: str | None,
) -> None:
    """Record top management's decision on the Minit Cerai (YA/TIDAK)."""
    from pipeline import render as report
    from pipeline.register import cases, sop

    if approve == reject:  # two flags, not --approve/--reject: both given must be an error
        both = "not both" if approve else "one of them"
        raise click.UsageError(f"give --approve (YA) or --reject (TIDAK), {both}")
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
    from pipeline import render as report
    from pipeline.register import cases, sop

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
@click.option("--security", metavar="MARKING",
              help="Security marking: TERHAD, SULIT, RAHSIA, RAHSIA BESAR (empty: none).")
@by_option
def case_edit(archive_path: Path, case_id: str, title: str | None, type_: str | None,
              countries: tuple[str, ...], level: str | None, division: str | None,
              source: str | None, file_ref: str | None, their_ref: str | None,
              security: str | None, by: str | None) -> None:
    """Correct a case's facts; each change is kept in its history as old -> new."""
    from pipeline.register import cases

    changes = cases.edit_case(
        _open(archive_path), case_id, by=by, title=title, type=type_,
        countries=countries or None, level=level, division=division, source=source,
        file_ref=file_ref, their_ref=their_ref, security=security,
    )
    for c in changes:
        _say(f"{case_id.upper()}: {c.field} {_shown(c.old)} -> {_shown(c.new)}")


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
    from pipeline import render as report
    from pipeline.register import cases

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
    from pipeline.register import cases

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
    from pipeline import render as report
    from pipeline.register import cases

    rows = cases.due(_open(archive_path), within=within, division=division)
    if as_json:
        _print_json(rows)
    else:
        lines: list[str] = []
        report.print_due(lines.append, _human(rows, depth=3))
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
    from pipeline.documents import docmaker

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
        _say(f"step {row['step']}  {row['document']:<20} {row['title']}{each}: {made}")
        if row.get("uses"):
            uses = "; ".join(f"{k}={' '.join(str(v).split())}" for k, v in row["uses"].items())
            _say(f"        uses what the case knows: {uses}")
    for f in data["filed"]:
        _say(f"filed   {f['doc_id']}  {f['name']}")


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
@click.option("--security", metavar="MARKING",
              help="Mark this document TERHAD, SULIT, RAHSIA ... (default: the case's marking).")
@by_option
def doc_make(archive_path: Path, case_id: str, document: str, to: tuple[str, ...],
             sets: tuple[str, ...], pdf: bool, security: str | None, by: str | None) -> None:
    """Render DOC for CASE, file it in the case, and print its path."""
    from pipeline.documents import docmaker

    arc = _open(archive_path)
    for filed in docmaker.make(arc, case_id, document, to=to,
                               overrides=docmaker.parse_sets(sets), pdf=pdf,
                               security=security, by=by):
        _say(str(filed.path))


@doc.command("check")
@archive_option
@click.option("--strict", is_flag=True,
              help="Fail also when a writer in ika.toml lacks what its letters need.")
def doc_check(archive_path: Path, strict: bool) -> None:
    """Render every template against sample cases and report problems; list the writers
    (AB, the Divisions and agencies) whose entries in ika.toml are incomplete."""
    from pipeline.clock import today
    from pipeline.documents import docmaker, templatecheck

    arc = _open(archive_path)
    problems = templatecheck.check_templates(docmaker.templates_dir(arc), today(),
                                             settings=arc.settings, root=arc.root)
    for p in problems:
        _say(p, err=True)
    report = templatecheck.check_directory(arc.settings, arc.root)
    for line, stops in report:
        _say(f"{'incomplete' if stops else 'note'}: {line}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} template problem(s)")
    incomplete = [line for line, stops in report if stops]
    if incomplete:
        message = (f"{len(incomplete)} entr{'y' if len(incomplete) == 1 else 'ies'} of ika.toml "
                   "incomplete: their letters stop until the keys are filled")
        if strict:
            raise click.ClickException(message)
        click.echo(f"all templates render; {message}")
        return
    click.echo("all templates render")


@case.command("summary")
@archive_option
@click.argument("case_id", metavar="CASE")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the HTML here instead of stdout (never inside the archive).")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
def case_summary(archive_path: Path, case_id: str, output: Path | None, force: bool) -> None:
    """A one-page HTML summary of the case: its timeline against the SOP's deadlines."""
    from pipeline import clock
    from pipeline.documents import docmaker, letters
    from pipeline.register import cases
    from pipeline.serialize import to_json

    arc = _open(archive_path)
    data = to_json(cases.get_case(arc, case_id))  # the summary reads the case's JSON shape
    data["history"] = to_json(cases.history(arc, case_id))
    html = letters.render_summary_html(
        letters.summary_context(data, arc.settings, clock.today()),
        templates_dir=docmaker.templates_dir(arc),
    )
    from pipeline.text import printable

    html = printable(html)  # a title's escape codes are no more use in a page than on a screen
    if output:
        _write_new(output, html, arc.root, force=force)
        _say(str(output))
    else:
        click.echo(html)


def _write_new(output: Path, text: str, archive_root: Path, *, force: bool) -> None:
    """Write a report the user asked for without harming anything: never into the archive
    (its register, settings and filed originals), never through a link, and never over an
    existing file unless --force. A missing folder is one Error: line (IkaGroup)."""
    target = output.parent.resolve() / output.name
    root = archive_root.resolve()
    if target == root or root in target.parents:
        raise click.ClickException(f"{output}: inside the archive {archive_root}; "
                                   "write the summary somewhere else")
    if not target.parent.is_dir():
        raise click.ClickException(f"{output}: no folder {output.parent}")
    if output.is_symlink():
        raise click.ClickException(f"{output}: a symbolic link; give a plain file name")
    if output.exists() and not force:
        raise click.ClickException(f"{output} exists; give --force to replace it")
    import tempfile

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent,
                                     prefix=f".{target.name}.", delete=False) as f:
        f.write(text)
    os.replace(f.name, target)


# ------------------------------------------------------------------ filing


def _finite(value: float | None, param: Any) -> float | None:
    """FloatRange lets NaN through (every comparison with it is false)."""
    if value is not None and value != value:
        raise click.BadParameter("must be a number of seconds, not nan", param=param)
    return value


def _log(message: str) -> None:
    from pipeline.clock import now

    _say(f"{now():%Y-%m-%d %H:%M:%S} {message}")


def _quiet_libraries() -> None:
    """pypdf warns about every repaired cross-reference table; the outcome line says enough.
    The filing's log (pipeline.filing.intake.logger) is printed, a line each (`_log`)."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    filing = logging.getLogger("ika.filing")
    filing.setLevel(logging.INFO)
    if not any(isinstance(h, _LogLines) for h in filing.handlers):
        filing.addHandler(_LogLines())


class _OncePerMinute(logging.Filter):
    """Lets one record a minute through. Waitress warns "Task queue depth is N" at every
    request that waits for a thread, thousands a minute under load, from the thread that
    serves every connection: a stderr nobody drains fast enough then stalls the server."""

    def __init__(self) -> None:
        super().__init__()
        self.last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.created - self.last < 60:
            return False
        self.last = record.created
        return True


class _LogLines(logging.Handler):
    """Each record of the filing's log as one timestamped line on stdout (`_log`); an
    outcome, a relinked document or a repair (the record's `outcome`, `relinked`, `repair`)
    in the text face's words."""

    def emit(self, record: logging.LogRecord) -> None:
        from pipeline import render
        from pipeline.text import one_line

        outcome = getattr(record, "outcome", None)
        relinked = getattr(record, "relinked", None)
        repaired = getattr(record, "repair", None)
        if outcome is not None:
            line = render.outcome_line(outcome, record.root)  # type: ignore[attr-defined]
        elif relinked is not None:
            line = render.relink_line(relinked)
        elif repaired is not None:
            line = render.repair_line(repaired)
        else:
            line = record.getMessage()
        # One record, one line: a name with a newline in it is shown as \n, never split.
        _log(one_line(line))


@main.command()
@archive_option
@click.option("--once", is_flag=True, help="File what is in the inbox now, then exit.")
@click.option("--poll", type=click.FloatRange(min=0.1, max=3600), default=None,
              callback=lambda ctx, param, v: _finite(v, param),
              help="Poll every SECONDS instead of native events (for network shares).")
def watch(archive_path: Path, once: bool, poll: float | None) -> None:
    """Watch the inbox and file every document dropped into it."""
    from pipeline.filing.watcher import Watcher

    _quiet_libraries()
    watcher = Watcher(_open(archive_path), poll=poll)
    if once:
        outcomes = watcher.once()
        count = {s: sum(o.status == s for o in outcomes)
                 for s in ("filed", "duplicate", "failed", "skipped")}
        dups = f", {count['duplicate']} duplicate(s) removed" if count["duplicate"] else ""
        left = (f", {count['skipped']} not filed now (left where they are, see above)"
                if count["skipped"] else "")
        _log(f"{len(outcomes)} file(s): {count['filed']} filed{dups}, {count['failed']} failed"
             f"{left}")
        return
    watcher.install_signal_handlers()
    watcher.run()


@main.command("file")
@archive_option
@click.argument("paths", nargs=-1, required=True, metavar="PATH|DOC-ID...")
@click.option("--case", "case_id", help="File into this case (or re-link DOC-IDs to it).")
@click.option("--password", help="Password of an encrypted PDF.")
@click.option("--kind", metavar="KIND",
              help="Change the kind of filed DOC-IDs: instrument | correspondence.")
@by_option
def file_cmd(archive_path: Path, paths: tuple[str, ...], case_id: str | None,
             password: str | None, kind: str | None, by: str | None) -> None:
    """File documents now, through the same pipeline as the watcher.

    A path in the inbox or failed/ is removed once filed; a path elsewhere is left as it is.
    A document already filed (the same bytes) is reported and recorded on that document, not
    counted as a failure. A DOC-ID with --case re-links an already filed document to that case;
    with --kind it gets that kind (an event old -> new; a filed document's kind is decided
    from its text when it is filed).
    """
    from pipeline.filing import intake

    _quiet_libraries()
    if kind is not None:  # DOC-IDs only; then re-linked too when --case is given
        from pipeline import render as report
        from pipeline.filing.kinds import set_kinds

        for change in set_kinds(_open(archive_path), list(paths), kind, by=by):
            _say(report.kind_change_line(change))
        if not case_id:
            return
    failed, considered = intake.file_many(_open(archive_path), list(paths), case_id=case_id,
                                          password=password, by=by)
    if failed:  # of every file considered: a folder counts its files
        raise click.ClickException(f"{failed} of {considered} not filed")


@main.command()
@archive_option
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--password", help="Password of an encrypted PDF.")
@by_option
def retry(archive_path: Path, names: tuple[str, ...], password: str | None,
          by: str | None) -> None:
    """File again what waits in failed/ (all of it, or the NAMEs given, as their reason files
    show them), once the cause is fixed. Filed ones leave failed/ with their reason file."""
    from pipeline.filing import intake

    _quiet_libraries()
    arc = _open(archive_path)
    paths = intake.retry_paths(arc, names)
    if not paths:
        _log(f"nothing to retry: {arc.failed} is empty")
        return
    failed, considered = intake.file_many(arc, [str(p) for p in paths], password=password,
                                          by=by)
    if failed:
        raise click.ClickException(f"{failed} of {considered} still not filed (see failed/)")


@main.command()
@archive_option
@json_option
def unassigned(archive_path: Path, as_json: bool) -> None:
    """Filed documents not linked to any case, with the open case that matches each (a
    suggestion only). Link one with `ika file DOC-ID --case CASE`."""
    from pipeline import render as report
    from pipeline.filing import relink
    from pipeline.vocab.instruments import type_name_ms

    rows = relink.unassigned(_open(archive_path))
    if as_json:
        _print_json(rows)
        return
    rows = _human(rows)
    cells = [
        [r.doc_id, report.fmt(r.date), r.kind or "-", r.title or r.name,
         report.countries_ms(r.countries) or "-",
         type_name_ms(r.type) if r.type else "-",
         r.suggested_case or "-", r.reason or ""]
        for r in rows
    ]
    if cells:
        widths = {3: 40, 4: 24, 5: 24, 7: 40}
        _echo_lines(report.table(["document", "date", "kind", "title", "counterparts", "type",
                                  "suggested case", "why unassigned"], cells,
                                 max_width=widths))
    click.echo(f"{len(rows)} unassigned document(s)"
               + ("; link one with `ika file DOC-ID --case CASE`" if rows else ""))


@main.command()
@archive_option
@click.option("--repair", is_flag=True,
              help="Set aside files the register does not know (to .orphans/), remove partial "
                   "copies of dead processes and index entries of documents no longer "
                   "registered; then verify.")
def verify(archive_path: Path, repair: bool) -> None:
    """Re-hash every filed file; report missing or changed ones, files in files/ the register
    does not know, and documents the index serves that the register does not have (exit 1
    if any)."""
    from pipeline import render as report
    from pipeline.filing.fixity import repair as run_repair
    from pipeline.filing.fixity import verify as run_verify

    arc = _open(archive_path)
    if repair:
        for done in run_repair(arc):
            _say(report.repair_line(done))
    checked, problems = run_verify(arc)
    for p in problems:
        _say(report.problem_line(p))
    click.echo(f"{checked} file(s) checked, {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


# ------------------------------------------------------------------ search


@main.command()
@archive_option
@click.argument("query", required=False)
@click.option("--country", "countries", multiple=True, metavar="COUNTRY",
              help="Counterpart country, any name or code (repeat or comma list: any of them).")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Instrument type: id or Malay/English name (repeat or comma list).")
@click.option("--level", "levels", multiple=True, metavar="LEVEL",
              help="bilateral | multilateral | regional (or dua hala ...; repeat or comma list).")
@click.option("--case", "case_id", help="Only documents of this case.")
@click.option("--year", "years", type=YEARS, multiple=True,
              help="Year of signature (else of filing); repeat or comma list: any of them.")
@click.option("--from", "date_from", type=DATE, help="From this date (signed, else filed).")
@click.option("--to", "date_to", type=DATE, help="Up to this date.")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="instrument | correspondence | generated (repeat or comma list: any of them).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@json_option
def search(archive_path: Path, query: str | None, countries: tuple[str, ...],
           types: tuple[str, ...], levels: tuple[str, ...], case_id: str | None,
           years: tuple[tuple[int, ...], ...], date_from: date | None, date_to: date | None,
           kinds: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Find filed documents by words (Malay or English) and filters, with facet counts.
    Several values of a filter find any of them; different filters must all hold. A facet's
    counts leave out its own filter. Each hit's paths work from the folder the command runs
    in."""
    from pipeline import render as report
    from pipeline.search import search as search_archive
    from pipeline.search.sync import paths_from_here

    arc = _open(archive_path)
    result = paths_from_here(arc, search_archive(
        arc, query, country=list(countries), type=list(types), level=list(levels),
        case=case_id, year=[y for group in years for y in group], date_from=date_from,
        date_to=date_to, limit=limit, kind=list(kinds),
    ))
    if as_json:
        _print_json(result)
        return
    lines: list[str] = []
    report.print_search(lines.append, _human(result))
    _echo_lines(lines)


@main.command()
@archive_option
@click.argument("doc_id", metavar="DOC-ID")
@json_option
def show(archive_path: Path, doc_id: str, as_json: bool) -> None:
    """One document: its metadata, history and the paths of its files."""
    from pipeline import render as report
    from pipeline.filing import docinfo

    data = docinfo.show_document(_open(archive_path), doc_id)
    if as_json:
        _print_json(data)
        return
    lines: list[str] = []
    report.print_document(lines.append, _human(data))
    _echo_lines(lines)


@main.command()
@archive_option
def reindex(archive_path: Path) -> None:
    """Rebuild the search index from the register and the files."""
    from pipeline.search import rebuild

    n = rebuild(_open(archive_path))
    click.echo(f"indexed {n} document(s)")



# ------------------------------------------------------------------ web and accounts


@main.command()
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-watch", is_flag=True, help="Do not run the inbox watcher in this process.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once.")
def serve(archive_path: Path, host: str, port: int, no_watch: bool, threads: int) -> None:
    """Serve the web interface (waitress), with the inbox watcher in the same process.

    On the first run, with no account yet, an `admin` account is made and its one-time
    password printed with the address; it must be changed at the first login."""
    import threading

    from pipeline.register import accounts
    from pipeline.web import create_app

    _quiet_libraries()
    logging.getLogger("waitress.queue").addFilter(_OncePerMinute())
    arc = _open(archive_path)
    if not accounts.has_users(arc):
        _, otp = accounts.add_user(arc, "admin", "admin", by="ika serve")
        click.echo(f"first run: user admin, one-time password {otp} (change it at first login)")
    app = create_app(archive_path)
    from pipeline.register import cases

    cases.long_running()
    watcher = None
    if not no_watch:
        from pipeline.filing.watcher import Watcher

        watcher = Watcher(arc)
        thread = threading.Thread(target=_watch, args=(watcher,), name="ika-watch", daemon=True)
        thread.start()
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="ika",
                           clear_untrusted_proxy_headers=True)
    shown = f"[{host}]" if ":" in host else host
    bound = getattr(server, "effective_port", port)
    click.echo(f"IKA Records: http://{shown}:{bound}/  (archive {archive_path}; Ctrl-C stops)")
    import signal

    def _stop(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (systemd, kill) ends it as Ctrl-C does

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if watcher is not None:
            watcher.stop()


def _watch(watcher: Any) -> None:
    """The watcher's thread: a failure is logged, never takes the web server down."""
    try:
        watcher.run()
    except IkaError as exc:  # e.g. another `ika watch` already runs on this archive
        _log(f"watcher not running: {exc}")
    except Exception as exc:  # reported; the pages keep working
        _log(f"watcher stopped: {type(exc).__name__}: {exc}")


@main.group(cls=IkaGroup)
def user() -> None:
    """Accounts of the web interface and their roles."""


@user.command("add")
@archive_option
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["admin", "ab", "division", "clerk", "reader"]))
@click.option("--division", help="The Division of a division officer (its name as cases give it).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_add(archive_path: Path, name: str, role: str, division: str | None,
             password_stdin: bool) -> None:
    """Add an account; without --password-stdin a one-time password is printed."""
    from pipeline.register import accounts

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    created, otp = accounts.add_user(_open(archive_path), name, role, division=division,
                                     password=password)
    click.echo(f"user {created.name} ({created.role}) added"
               + (f"; one-time password: {otp}" if otp else ""))


@user.command("passwd")
@archive_option
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
def user_passwd(archive_path: Path, name: str, password_stdin: bool) -> None:
    """Reset a password: a new one-time password is printed (or read one from stdin)."""
    from pipeline.register import accounts

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    otp = accounts.set_password(_open(archive_path), name, password)
    click.echo(f"user {name}: " + (f"one-time password: {otp}" if otp else "password set"))


@user.command("disable")
@archive_option
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
def user_disable(archive_path: Path, name: str, enable: bool) -> None:
    """Disable an account (its sessions and tokens stop working); --enable undoes it."""
    from pipeline.register import accounts

    accounts.set_disabled(_open(archive_path), name, not enable)
    click.echo(f"user {name}: {'enabled' if enable else 'disabled'}")


@user.command("list")
@archive_option
@json_option
def user_list(archive_path: Path, as_json: bool) -> None:
    """Every account with its role, Division and state."""
    from pipeline.register import accounts

    users = accounts.list_users(_open(archive_path))
    rows = [{"name": u.name, "role": u.role, "division": u.division,
             "must_change": u.must_change, "disabled": u.disabled,
             "last_login": u.last_login.isoformat(sep=" ") if u.last_login else None}
            for u in users]
    if as_json:
        _print_json(rows)
        return
    from pipeline import render as report

    cells = [[r["name"], r["role"], r["division"] or "-",
              "disabled" if r["disabled"] else ("one-time" if r["must_change"] else "active"),
              r["last_login"] or "-"] for r in rows]
    _echo_lines(report.table(["user", "role", "division", "state", "last login"], cells))
    click.echo(f"{len(rows)} user(s)")


if __name__ == "__main__":
    sys.exit(main())
