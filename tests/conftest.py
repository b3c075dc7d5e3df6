"""Shared fixtures: a real archive in tmp_path, driven through the real `ika` command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def signed(text: str) -> str:
    """ika.toml text with what `ika init` leaves for the archive's owner filled in, as a test
    archive needs it: every signatory named ("Pegawai KKA 1") and every Division's file
    reference ("KDN.KKA.100-1/{year}/{seq}"). Officers' names are never shipped."""
    out, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            m = re.match(r"\[(?:divisions\.)?([A-Za-z0-9_-]+)\]", line)
            section = m.group(1) if m else ""
        if line.startswith('file_ref = ""'):
            line = f'file_ref = "KDN.{section}.100-1/{{year}}/{{seq}}"'
        who = "AB" if section == "organisation" else section
        for n in range(1, line.count('{ name = "", ') + 1):
            line = line.replace('{ name = "", ', f'{{ name = "Pegawai {who} {n}", ', 1)
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="session")
def corpus_extract(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[object, list[str]]]:
    """`extract` of a corpus file (`CORPUS / rel`), run once per test run whoever asks.
    Gives (Extraction or the ExtractionError, progress lines)."""
    from pipeline.errors import ExtractionError
    from pipeline.filing.extract import extract

    work = tmp_path_factory.mktemp("corpus-work")
    done: dict[str, tuple[object, list[str]]] = {}

    def get(rel: str) -> tuple[object, list[str]]:
        if rel not in done:
            messages: list[str] = []
            try:
                result: object = extract(CORPUS / rel, work_dir=work / re.sub(r"\W", "_", rel),
                                         progress=messages.append)
            except ExtractionError as error:
                result = error
            done[rel] = (result, messages)
        return done[rel]

    return get


@pytest.fixture(scope="session")
def corpus_watched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The whole corpus (manifest.json's files) dropped at once into a running `ika watch`, once
    per test run: every scan OCR'd once, by the real watcher. Shared by test_watcher.py's tests
    (it all ends as the manifest says; each scan's text, read back from the register). Gives
    the archive, the watcher's output, whether it was still running at the end, and its exit
    status once stopped (SIGTERM)."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    root = tmp_path_factory.mktemp("corpus-watched") / "archive"
    result = CliRunner().invoke(main, ["init", "--archive", str(root)])
    assert result.exit_code == 0, result.output
    toml = root / "ika.toml"
    toml.write_text(signed(toml.read_text()).replace("settle_seconds = 2.0",
                                                     "settle_seconds = 0.5"))
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
    log = root.parent / "watch.log"

    def wait_for(done: Callable[[], bool], seconds: float, what: str) -> None:
        end = time.monotonic() + seconds
        while not done():
            assert time.monotonic() < end, f"timed out waiting for {what}: {log.read_text()}"
            time.sleep(0.2)

    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "import cli; cli.main()", "watch", "--archive", str(root)],
            cwd=Path(__file__).resolve().parents[1], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: "watching" in log.read_text(), 60, "the watcher to start")
            for entry in manifest:
                source = CORPUS / entry["path"]
                shutil.copyfile(source, root / "inbox" / source.name)
            inbox = root / "inbox"
            wait_for(lambda: not any(p.is_file() for p in inbox.rglob("*")), 1200,
                     "an empty inbox")
            wait_for(lambda: log.read_text().count("\n") >= len(manifest), 60,
                     "every outcome logged")
            running = proc.poll() is None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            code = proc.wait(timeout=60)
    return {"archive": root, "log": log.read_text(errors="replace"), "running": running,
            "exit": code}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    result = CliRunner().invoke(main, ["init", "--archive", str(root)])
    assert result.exit_code == 0, result.output
    toml = root / "ika.toml"  # a short settle time keeps `watch --once` quick in tests
    toml.write_text(signed(toml.read_text()).replace("settle_seconds = 2.0",
                                                     "settle_seconds = 0.2"))
    return root


@pytest.fixture
def ika(archive: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `ika ARGS --archive <tmp archive>`; today is fixed at 2026-11-27 unless set."""
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    runner = CliRunner()

    def run(*args: str, expect: int | None = 0) -> Result:
        result = runner.invoke(main, [*args, "--archive", str(archive)])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output)
        return result

    return run


def as_json(result: Result) -> object:
    return json.loads(result.stdout)


# --- what `make check` leaves to `make test` -----------------------------------------------------
# `make check` runs the tests not marked slow, in under a minute; `make test` (CI) runs them all.
# Slow: whole modules that drive subprocesses, watchers, OCR, LibreOffice, migrations or a real
# index per test; every test that needs a web archive or the classified corpus; and the tests
# measured at half a second or more under load (`pytest --durations=0`). A test may also carry
# @pytest.mark.slow itself.
SLOW_MODULES = {
    "tests/filing/test_filing.py",  # races of real processes, bombs, verify
    "tests/filing/test_filing_issue8.py",  # OCR of scans under odd archive paths
    "tests/filing/test_filing_issue9.py",  # `ika` subprocesses, watchers, kills
    "tests/filing/test_hash_once.py",  # filing through watcher, intake and register
    "tests/filing/test_kinds.py",  # filing, search and an old register upgraded
    "tests/filing/test_watcher.py",  # watcher processes; the whole corpus OCR'd
    "tests/documents/test_cli_docs.py",  # letters made and converted by LibreOffice
    "tests/register/test_corrections.py",  # migration fixtures, hypothesis over archives
    "tests/search/test_cli_search.py",  # a filed corpus, processes filing at once
    "tests/search/test_index.py",  # a real Whoosh index per test, processes at once
    "tests/test_hostile_settings.py",  # an archive and a command per hostile setting
    "tests/web/test_web_cli.py",  # `ika serve` in a subprocess
    "tests/test_benchmarks.py",  # each benchmark script at a toy size
}
SLOW_FIXTURES = {"web_archive", "corpus_results", "corpus_watched"}  # archives, PDFs, OCR
SLOW_TESTS = {
    "tests/documents/test_letters.py": {
        "test_check_templates_passes_on_the_shipped_templates",
        "test_check_templates_reports_a_broken_and_a_missing_template",
        "test_each_document_reads_right",
    },
    "tests/documents/test_letters_issue10.py": {
        "test_a_division_is_given_by_key_or_name_and_kept_by_its_name",
        "test_a_letter_stops_naming_the_key_to_fill_never_a_placeholder",
        "test_a_wrong_directory_entry_is_one_error_naming_the_key",
        "test_date_spans_read_back_and_say_each_part_once",
        "test_doc_check_lists_incomplete_entries",
        "test_doc_check_reports_an_unusable_crest",
        "test_no_value_is_printed_twice",
        "test_one_invitation_per_invitee_never_the_addressee_among_the_others",
        "test_the_cases_marking_is_printed_and_a_document_may_have_its_own",
        "test_the_closing_keeps_with_the_last_paragraph",
        "test_the_request_and_the_embassys_note_are_cited",
        "test_what_the_case_knows_is_given_once_and_reused",
    },
    "tests/documents/test_sandbox.py": {
        "test_a_template_cannot_build_a_huge_value",
        "test_control_the_payload_runs_without_the_sandbox",
        "test_doc_check_refuses_it_too",
        "test_doc_make_refuses_a_template_that_reaches_for_python",
        "test_every_part_of_the_document_is_sandboxed",
    },
    "tests/filing/test_classify.py": {
        "test_between_sentence_gives_exactly_its_parties",
        "test_glued_of_in_a_signature_block",
        "test_listed_members_property",
        "test_standard_preamble_gives_exactly_its_two_parties",
    },
    "tests/filing/test_extract.py": {
        "test_a_page_tesseract_gives_up_on_is_a_retry_not_a_scan_without_text",
        "test_decompression_bomb_png_is_too_large",
        "test_docx_unpacking_over_the_total_limit_is_too_large",
        "test_instrument_text_contains_its_title",
        "test_pdf_with_broken_xref_is_repaired_not_refused",
        "test_zip_bomb_docx_is_too_large",
    },
    "tests/filing/test_show.py": {
        "test_show_a_generated_document_with_its_pdf_and_history",
    },
    "tests/register/test_cli_cases.py": {
        "test_errors_are_one_clean_line",
        "test_list_filters",
        "test_tidak_path_end_to_end",
        "test_ya_path_end_to_end",
    },
    "tests/register/test_workdays.py": {
        "test_calendar_due_is_a_working_day_not_earlier_than_rule",
        "test_working_due_counts_exactly_n_working_days",
    },
    "tests/search/test_glossary.py": {
        "test_either_language_finds_both",
    },
    "tests/search/test_whoosh_contract.py": {
        "test_the_index_has_segments_and_deletions",
    },
    "tests/vocab/test_countries.py": {
        "test_any_text_resolves_or_raises_unknown_country",
        "test_every_iso_country_round_trips",
        "test_every_name_resolves_in_any_case",
    },
    "tests/vocab/test_instruments.py": {
        "test_resolve_type_ignores_case_and_separators",
    },
}


# `make test` runs on two workers with `--dist loadfile`: a module's tests stay on one worker, so
# its module and session fixtures are made once; `corpus_watched`'s users are all in
# tests/filing/test_watcher.py, so the corpus is OCR'd once per run, not once per worker.
# Seconds each of the longest modules took (`make test`, quiet, 2 workers). `make test` hands
# whole modules to its two workers in collection order (--no-loadscope-reorder): the longest go
# first, so the last to finish is a short one and neither worker waits long for the other.
MODULE_SECONDS = {
    "tests/filing/test_filing_issue8.py": 69,
    "tests/filing/test_filing_issue9.py": 60,
    "tests/filing/test_watcher.py": 50,
    "tests/test_packaging.py": 31,
    "tests/filing/test_filing.py": 24,
    "tests/filing/test_hash_once.py": 22,
    "tests/filing/test_extract.py": 22,
    "tests/web/test_web_browser.py": 20,
    "tests/test_hostile_settings.py": 13,
    "tests/register/test_corrections.py": 8,
    "tests/filing/test_classify.py": 8,
    "tests/test_benchmarks.py": 8,
    "tests/documents/test_letters_issue10.py": 7,
    "tests/filing/test_kinds.py": 7,
    "tests/search/test_index.py": 7,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parents[1]
    module_of = {id(item): item.path.resolve().relative_to(root).as_posix() for item in items}
    items.sort(key=lambda item: -MODULE_SECONDS.get(module_of[id(item)], 0))  # stable
    for item in items:
        module = item.path.resolve().relative_to(root).as_posix()
        name = getattr(item, "originalname", item.name)
        if (module in SLOW_MODULES or name in SLOW_TESTS.get(module, ())
                or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Hostile file names (undecodable bytes, as surrogates) reach the captured output; pytest-xdist
    cannot send such text from a worker, and the worker dies. Escape them first."""
    def clean(text: str) -> str:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    report.sections = [(title, clean(content)) for title, content in report.sections]
    if isinstance(report.longrepr, str):
        report.longrepr = clean(report.longrepr)
