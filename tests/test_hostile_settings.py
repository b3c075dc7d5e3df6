"""Hostile and broken settings, and the commands that used to end in a traceback.

Every attack is driven through the `ika` command against a real archive in tmp_path. A refused
setting is one `Error:` line that names the key, exit 1, and nothing touched: ika.toml and the
register are byte for byte what they were, the inbox still holds what it held.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cli import main
from pipeline.settings import default_text
from pipeline.text import json_safe, printable, printable_data
from tests.conftest import as_json

NEW = ["case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang", "--type", "mou",
       "--country", "KR", "--division", "Bahagian Keselamatan dan Ketenteraman Awam",
       "--received", "2026-10-01", "--source", "embassy"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "not a file"


def tree(root: Path) -> dict[str, str]:
    """Every file under the archive and its hash; the register by its content (reading it
    may checkpoint its write-ahead log), the holiday cache aside."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or ".cache" in rel.parts or p.name.startswith("register.sqlite3"):
            continue
        out[str(rel)] = digest(p)
    register = root / "register.sqlite3"
    if register.is_file():
        with sqlite3.connect(f"file:{register}?mode=ro", uri=True) as db:
            dump = "\n".join(db.iterdump())
        out["register.sqlite3 (content)"] = hashlib.sha256(dump.encode()).hexdigest()
    return out


def one_error(res: Result, *needles: str) -> None:
    """Exit 1, exactly one `Error:` line containing every needle, and no traceback."""
    assert res.exit_code == 1, (res.exit_code, res.output)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, res.output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert "Traceback" not in res.output


def set_inbox(archive: Path, value: str) -> None:
    toml = archive / "ika.toml"
    text = toml.read_text()
    assert 'inbox = "inbox"' in text
    toml.write_text(text.replace('inbox = "inbox"', f"inbox = {value}"))


# ---------------------------------------------------------------- the inbox (severe 4)

# Each is (value written in ika.toml, with {A} the archive and {P} its parent folder).
INBOX_ATTACKS = [
    '""', '"  "', '"."', '"./"', '"files"', '"failed"', '"index"', '".cache"', '".work"',
    '"files/IKA-2026-0001"', '"inbox/../files"', '"ika.toml"', '"register.sqlite3"',
    '".."', '"../.."', '"/"', '"inbox/../.."', "'{A}'", "'{A}/'", "'{A}/files'",
    "'{A}/failed/x'", "'{P}'", "'{A}/../..'",
]


def _inbox_value(raw: str, archive: Path) -> str:
    return raw.replace("{A}", str(archive)).replace("{P}", str(archive.parent))


@pytest.mark.parametrize("command", ["watch", "file"])
@pytest.mark.parametrize("raw", INBOX_ATTACKS)
def test_an_inbox_that_is_or_holds_the_archive_is_refused(
        ika, archive: Path, tmp_path: Path, raw: str, command: str) -> None:
    dropped = archive / "inbox" / "surat.txt"
    dropped.write_text("Surat daripada Kedutaan Besar Republik Korea")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("a document outside the archive")
    set_inbox(archive, _inbox_value(raw, archive))
    before = tree(archive)
    args = ["watch", "--once"] if command == "watch" else ["file", str(outside)]
    res = ika(*args, expect=None)
    one_error(res, "filing.inbox", "ika.toml")
    assert tree(archive) == before  # ika.toml, the register, inbox/ and files/ as they were
    assert (archive / "ika.toml").is_file() and (archive / "register.sqlite3").is_file()
    assert dropped.exists() and outside.exists()
    assert not any((archive / "failed").iterdir())


def test_an_inbox_linked_to_an_archive_folder_is_refused(ika, archive: Path) -> None:
    (archive / "drop").symlink_to(archive / "files", target_is_directory=True)
    set_inbox(archive, '"drop"')
    one_error(ika("watch", "--once", expect=None), "filing.inbox", "'files'")


def test_init_refuses_a_bad_inbox_before_making_anything(archive: Path) -> None:
    shutil.rmtree(archive / "failed")
    set_inbox(archive, '"files"')
    res = CliRunner().invoke(main, ["init", "--archive", str(archive)])
    one_error(res, "filing.inbox")
    assert not (archive / "failed").exists()


@pytest.mark.parametrize("where", ["absolute", "sibling", "inside"])
def test_an_inbox_of_its_own_is_allowed_anywhere(ika, archive: Path, tmp_path: Path,
                                                  where: str) -> None:
    """A network share mounted elsewhere, a sibling folder, a folder in the archive."""
    inbox = {"absolute": tmp_path / "share" / "ika-inbox", "sibling": tmp_path / "drop",
             "inside": archive / "masuk" / "kerani"}[where]
    value = {"absolute": str(inbox), "sibling": "../drop", "inside": "masuk/kerani"}[where]
    inbox.mkdir(parents=True)
    set_inbox(archive, f"'{value}'")
    (inbox / "nota.txt").write_text("Nota diplomatik mengenai MOU pemerdagangan orang")
    res = ika("watch", "--once")
    assert "1 filed" in res.output, res.output
    assert not (inbox / "nota.txt").exists()


def test_a_templates_folder_in_the_inbox_is_refused(ika, archive: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(toml.read_text() + '\n[documents]\ntemplates = "inbox/templates"\n')
    one_error(ika("due", expect=None), "documents.templates")


# ---------------------------------------------------------------- values of every other key


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _append(extra: str):
    return lambda text: text + extra


FILE_REF = 'file_ref = "KDN.AB.600-2/{year}/{seq}"'
HOLIDAY = '# "2026-12-07" = "Cuti Peristiwa"'

# (name, edit of the text, the key the error must name)
BAD_SETTINGS = [
    ("extra_holidays text", _replace("[calendar.extra_holidays]", 'extra_holidays = "x"\n[x]'),
     "calendar.extra_holidays"),
    ("extra_holidays list", _replace("[calendar.extra_holidays]",
                                     "extra_holidays = [2026-12-07]\n[x]"),
     "calendar.extra_holidays"),
    ("holiday not a date", _replace(HOLIDAY, '"banana" = "Cuti"'), "calendar.extra_holidays"),
    ("holiday named by a number", _replace(HOLIDAY, '"2026-12-07" = 5'),
     "calendar.extra_holidays"),
    ("holiday named by a table", _replace(HOLIDAY, '"2026-12-07" = {a = 1}'),
     "calendar.extra_holidays"),
    ("holiday with no name", _replace(HOLIDAY, '"2026-12-07" = ""'), "calendar.extra_holidays"),
    ("calendar a number", lambda t: "calendar = 5\n", "calendar"),
    ("filing a list", lambda t: "filing = [1]\n", "filing"),
    ("file_ref a number", _replace(FILE_REF, "file_ref = 5"), "organisation.file_ref"),
    ("file_ref {0}", _replace(FILE_REF, 'file_ref = "{0}"'), "organisation.file_ref"),
    ("file_ref {}", _replace(FILE_REF, 'file_ref = "A/{}"'), "organisation.file_ref"),
    ("file_ref {nope}", _replace(FILE_REF, 'file_ref = "{nope}"'), "organisation.file_ref"),
    ("file_ref attribute", _replace(FILE_REF, 'file_ref = "{seq.__class__}"'),
     "organisation.file_ref"),
    ("file_ref spec", _replace(FILE_REF, 'file_ref = "{seq:>9}"'), "organisation.file_ref"),
    ("file_ref brace", _replace(FILE_REF, 'file_ref = "A/{year"'), "organisation.file_ref"),
    ("settle nan", _replace("settle_seconds = 0.2", "settle_seconds = nan"),
     "filing.settle_seconds"),
    ("settle inf", _replace("settle_seconds = 0.2", "settle_seconds = inf"),
     "filing.settle_seconds"),
    ("settle negative", _replace("settle_seconds = 0.2", "settle_seconds = -1.0"),
     "filing.settle_seconds"),
    ("settle a flag", _replace("settle_seconds = 0.2", "settle_seconds = true"),
     "filing.settle_seconds"),
    ("max size negative", _replace("max_size_mb = 200", "max_size_mb = -1"),
     "filing.max_size_mb"),
    ("max size zero", _replace("max_size_mb = 200", "max_size_mb = 0"), "filing.max_size_mb"),
    ("poll text", _replace("poll_seconds = 0 ", 'poll_seconds = "abc" '), "filing.poll_seconds"),
    ("rescan zero", _replace("rescan_minutes = 5", "rescan_minutes = 0"),
     "filing.rescan_minutes"),
    ("ocr languages an option", _replace('ocr_languages = "msa+eng"',
                                         'ocr_languages = "msa --tesseract-config x"'),
     "filing.ocr_languages"),
    ("ocr languages a number", _replace('ocr_languages = "msa+eng"', "ocr_languages = 5"),
     "filing.ocr_languages"),
    ("state XX", _replace('state = "PJY"', 'state = "XX"'), "calendar.state"),
    ("state a number", _replace('state = "PJY"', "state = 5"), "calendar.state"),
    ("count a number", _replace('count = "calendar"', "count = 5"), "calendar.count"),
    ("inbox a number", _replace('inbox = "inbox"', "inbox = 5"), "filing.inbox"),
    ("organisation a number", _replace("[organisation]", "organisation = 5\n[x]"),
     "organisation"),
    ("an addressee a number", _append("\n[directory]\nXYZ = 5\n"), "directory.XYZ"),
    ("signatories a list", lambda t: "signatories = [1, 2]\n", "signatories"),
    ("templates a number", _append("\n[documents]\ntemplates = 5\n"), "documents.templates"),
    ("register url a number", _append("\n[register]\nurl = 5\n"), "register.url"),
]


@pytest.mark.parametrize("command", [["due"], ["case", "list"], ["watch", "--once"]],
                         ids=["due", "case-list", "watch"])
@pytest.mark.parametrize("name, edit, key", BAD_SETTINGS, ids=[b[0] for b in BAD_SETTINGS])
def test_a_bad_setting_is_one_error_line_naming_the_key(
        ika, archive: Path, name: str, edit, key: str, command: list[str]) -> None:
    toml = archive / "ika.toml"
    toml.write_text(edit(toml.read_text()))
    (archive / "inbox" / "surat.txt").write_text("Surat")
    before = tree(archive)
    one_error(ika(*command, expect=None), key)
    assert tree(archive) == before


def test_a_good_file_ref_pattern_is_still_used(ika, archive: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(_replace(FILE_REF, 'file_ref = "KDN/{seq}/{year} {{AB}}"')(toml.read_text()))
    case_id = ika(*NEW).stdout.strip()
    assert as_json(ika("case", "show", case_id, "--json"))["file_ref"] == "KDN/0001/2026 {AB}"


@pytest.mark.parametrize("content", [
    os.urandom(512) + b"\xff\xfe\x80",                      # binary
    b"\xef\xbb\xbf[calendar]\nstate = \"PJY\"\n\xc3\x28",   # invalid UTF-8 after a BOM
    b"[calendar\n",                                          # not TOML
    b"\x00" * 64,
], ids=["random-bytes", "invalid-utf8", "not-toml", "nul-bytes"])
@pytest.mark.parametrize("command", [["due"], ["case", "list"], ["watch", "--once"]],
                         ids=["due", "case-list", "watch"])
def test_an_unreadable_settings_file_is_one_error_line(ika, archive: Path, content: bytes,
                                                       command: list[str]) -> None:
    (archive / "ika.toml").write_bytes(content)
    before = tree(archive)
    one_error(ika(*command, expect=None), "ika.toml")
    assert tree(archive) == before


@pytest.mark.parametrize("command", [["due"], ["case", "list"], ["watch", "--once"], ["init"]],
                         ids=["due", "case-list", "watch", "init"])
def test_a_settings_folder_is_one_error_line(ika, archive: Path, command: list[str]) -> None:
    toml = archive / "ika.toml"
    toml.unlink()
    toml.mkdir()
    one_error(ika(*command, expect=None), "ika.toml", "not a file")
    assert toml.is_dir() and not any(toml.iterdir())


# ---------------------------------------------------------------- no traceback, anywhere


def test_search_by_date_on_an_empty_archive(ika) -> None:
    assert "0 document(s)" in ika("search", "--from", "2026-01-01").output
    assert as_json(ika("search", "--from", "2026-01-01", "--to", "2026-12-31", "--json"))[
        "total"] == 0


def test_summary_into_a_missing_folder(ika, archive: Path, tmp_path: Path) -> None:
    case_id = ika(*NEW).stdout.strip()
    before = tree(archive)
    target = tmp_path / "missing" / "x.html"
    one_error(ika("case", "summary", case_id, "-o", str(target), expect=None),
              "no folder", str(target))
    assert not target.parent.exists() and tree(archive) == before


@pytest.mark.parametrize(
    "inside", ["register.sqlite3", "ika.toml", "files/../ika.toml", "new.html"])
def test_summary_never_writes_into_the_archive(ika, archive: Path, inside: str) -> None:
    """`-o` naming the register, the settings or any path in the archive is refused: the
    archive is as it was, byte for byte."""
    case_id = ika(*NEW).stdout.strip()
    before = tree(archive)
    one_error(ika("case", "summary", case_id, "-o", str(archive / inside), expect=None),
              "inside the archive")
    assert tree(archive) == before


def test_summary_does_not_overwrite_without_force(ika, archive: Path, tmp_path: Path) -> None:
    case_id = ika(*NEW).stdout.strip()
    target = tmp_path / "ringkasan.html"
    target.write_text("mine")
    one_error(ika("case", "summary", case_id, "-o", str(target), expect=None), "--force")
    assert target.read_text() == "mine"
    link = tmp_path / "link.html"
    link.symlink_to(archive / "ika.toml")
    one_error(ika("case", "summary", case_id, "-o", str(link), "--force", expect=None),
              "symbolic link")
    ika("case", "summary", case_id, "-o", str(target), "--force")
    assert case_id in target.read_text()


def test_init_where_no_folder_can_be() -> None:
    res = CliRunner().invoke(main, ["init", "--archive", "/proc/self/x"])
    one_error(res, "/proc/self/x")


def test_approve_and_reject_together_is_a_usage_error(ika, archive: Path) -> None:
    case_id = ika(*NEW).stdout.strip()
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    before = tree(archive)
    for flags in (["--approve", "--reject"], ["--reject", "--approve"], []):
        res = ika("case", "decide", case_id, *flags, expect=2)
        assert "--approve" in res.output and "Traceback" not in res.output
    assert tree(archive) == before
    assert "DILULUSKAN" not in ika("case", "show", case_id).output.upper()


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e400"])
def test_a_poll_interval_that_is_no_number_is_a_usage_error(ika, value: str) -> None:
    res = ika("watch", "--poll", value, expect=2)
    assert "--poll" in res.output and "Traceback" not in res.output


def _doc_make_refused(ika, archive: Path, case_id: str) -> None:
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    one_error(res, "makluman-bahagian", "files")
    with sqlite3.connect(archive / "register.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_doc_make_when_files_is_not_a_folder(ika, archive: Path) -> None:
    case_id = ika(*NEW).stdout.strip()
    shutil.rmtree(archive / "files")
    (archive / "files").write_text("a file where the folder belongs")
    _doc_make_refused(ika, archive, case_id)
    assert (archive / "files").read_text() == "a file where the folder belongs"


def test_doc_make_with_a_read_only_files_folder(ika, archive: Path, tmp_path: Path) -> None:
    """Root ignores permission bits: as root, files/ is bind-mounted read-only in a private
    mount namespace (unshare) around one real `ika doc make` process."""
    case_id = ika(*NEW).stdout.strip()
    files = archive / "files"
    if os.geteuid() != 0:
        files.chmod(0o555)
        try:
            _doc_make_refused(ika, archive, case_id)
        finally:
            files.chmod(0o755)
        return
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed: no read-only folder can be made as root")
    ika_bin = Path(sys.executable).with_name("ika")
    script = ('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" || exit 99; '
              'shift; exec "$@"')
    env = dict(os.environ, IKA_TODAY="2026-11-27")
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(files), str(ika_bin), "doc", "make",
         case_id, "makluman-bahagian", "--archive", str(archive)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    if proc.returncode == 99:
        pytest.skip(f"no private read-only mount here: {proc.stderr.strip()}")
    assert proc.returncode == 1, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "Read-only file system" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    with sqlite3.connect(archive / "register.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert not any(files.iterdir())


def test_an_unexpected_os_error_is_one_line(ika, archive: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk anywhere the library did not expect one: one line, not a traceback."""
    import errno

    from pipeline.register import cases

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(archive / "register"))

    monkeypatch.setattr(cases, "list_cases", full)
    one_error(ika("case", "list", expect=None), "No space left on device")


# ---------------------------------------------------------------- escape codes on output

HOSTILE_TITLE = "Kerjasama \x1b[31mMERAH\x1b[0m\x07 \x1b]0;pwned\x07Sempadan\rPalsu \x9b2J akhir"
HOSTILE_DIVISION = "Bahagian \x1b[8mtersembunyi\x1b[0m Imigresen\x00"


def _no_controls(text: str) -> None:
    # The layout's own colours (OVERDUE in red) may be there; the values' codes may not.
    for c in ("\x1b]", "\x07", "\r", "\x9b", "\x00", "[31mMERAH", "[8m", "pwned", "[2J"):
        assert c not in text, (c, text)


@pytest.mark.parametrize("command", [["case", "list"], ["due"], ["case", "show", "{id}"],
                                     ["case", "summary", "{id}"]],
                         ids=["case-list", "due", "case-show", "summary"])
def test_escape_codes_in_values_are_not_printed(ika, archive: Path, command: list[str]) -> None:
    args = list(NEW)
    args[args.index("--title") + 1] = HOSTILE_TITLE
    args[args.index("--division") + 1] = HOSTILE_DIVISION
    case_id = ika(*args).stdout.strip()
    runner = CliRunner()
    res = runner.invoke(main, [*(a.replace("{id}", case_id) for a in command),
                               "--archive", str(archive)], color=True)  # keep colours
    assert res.exit_code == 0, res.output
    _no_controls(res.output)
    assert "MERAH" in res.output and "akhir" in res.output


def test_the_layout_keeps_its_own_colours(ika, archive: Path) -> None:
    args = list(NEW)
    args[args.index("--title") + 1] = HOSTILE_TITLE
    case_id = ika(*args).stdout.strip()
    res = CliRunner().invoke(main, ["case", "show", case_id, "--archive", str(archive)],
                             color=True)
    assert f"\x1b[1m{case_id}" in res.output  # click.style(bold) of the heading survives
    _no_controls(res.output)


def test_json_keeps_the_value_and_escapes_it(ika) -> None:
    args = list(NEW)
    args[args.index("--title") + 1] = HOSTILE_TITLE
    case_id = ika(*args).stdout.strip()
    res = ika("case", "show", case_id, "--json")
    # a title is cleaned on the way in (one readable line); other values are kept exactly
    assert as_json(res)["title"] == " ".join(printable(HOSTILE_TITLE).split())
    for c in ("\x1b", "\x07", "\r", "\x9b"):
        assert c not in res.stdout


def test_error_messages_carry_no_escape_codes(ika) -> None:
    for value in ("IKA-2026-\x1b]0;pwned\x07\x1b[2J9", "\x1b[2J\r"):
        res = ika("case", "show", value, expect=1)  # shown escaped (repr) or stripped
        assert not any(c in res.output for c in "\x1b\x07\r\x9b"), res.output
    toml_folder = "x\x1b[2J"
    res = CliRunner().invoke(main, ["due", "--archive", toml_folder])
    assert res.exit_code == 1 and "\x1b" not in res.output, res.output


def test_printable() -> None:
    assert printable("a\x1b[1;31mb\x1b[0mc") == "abc"
    assert printable("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c") == "abc"
    assert printable("a\x9b31mb\x9d0;t\x9cc") == "abc"
    assert printable("baris\r\nbaru\ttab\x7f\x00") == "baris\nbaru\ttab"
    assert printable("Türkiye — «ok» 日本") == "Türkiye — «ok» 日本"
    assert printable_data({"a\x07": ["x\x1b[2Jy", 5, None]}) == {"a": ["xy", 5, None]}
    assert json_safe('"a\x9bb\x7f"') == '"a\\u009bb\\u007f"'


# ---------------------------------------------------------------- fuzz

KEYS = ["state", "count", "inbox", "settle_seconds", "poll_seconds", "rescan_minutes",
        "max_size_mb", "ocr_languages", "file_ref", "extra_holidays", "waiting_days", "name",
        "templates", "2026-12-07"]
TABLES = ["organisation", "calendar", "calendar.extra_holidays", "filing", "reminders",
          "directory.KLN", "directory", "signatories.AB", "documents", "x"]
SAFE_INBOX = ["inbox", "", ".", "files", "failed", "index", ".cache", "ika.toml", "masuk",
              "inbox/sub", "/"]

toml_values = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: "nan" if f != f else ("inf" if f == float("inf") else
                                        "-inf" if f == float("-inf") else repr(f))),
    st.sampled_from(["true", "false", "[]", "[1, \"a\"]", "{}", "{a = 1}", "2026-12-07",
                     "1979-05-27T07:32:00Z", '"PJY"', '"KDH"', '"XX"', '"calendar"',
                     '"working"', '"{year}/{seq}"', '"{0}"', '"{seq.__class__}"',
                     '"msa+eng"', '"-l x"', "'''multi\nline'''"]),
    st.sampled_from(SAFE_INBOX).map(lambda s: f'"{s}"'),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"')
                             .replace("\n", "\\n") + '"'),
)
toml_lines = st.one_of(
    st.sampled_from(TABLES).map(lambda t: f"[{t}]"),
    st.tuples(st.sampled_from(KEYS), toml_values).map(lambda kv: f'"{kv[0]}" = {kv[1]}'
                                                       if kv[0][0].isdigit() else
                                                       f"{kv[0]} = {kv[1]}"),
    st.text(max_size=30),
)

@st.composite
def mutated_defaults(draw: st.DrawFn) -> bytes:
    """The default ika.toml with a few values replaced and lines inserted: mostly valid TOML,
    so that the values themselves, not only the syntax, are put to the test."""
    lines = default_text().replace("settle_seconds = 2.0", "settle_seconds = 0.2").splitlines()
    assigned = [i for i, ln in enumerate(lines) if " = " in ln and not ln.startswith("#")]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            i = draw(st.sampled_from(assigned))
            key = lines[i].split(" = ", 1)[0]
            lines[i] = f"{key} = {draw(toml_values)}"
        else:
            lines.insert(draw(st.integers(0, len(lines))), draw(toml_lines))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


toml_texts = st.one_of(
    mutated_defaults(),
    st.lists(toml_lines, max_size=14).map(lambda lines: "\n".join(lines).encode("utf-8",
                                                                               "surrogatepass")),
    st.binary(max_size=300),
)


def _harmless(content: bytes) -> bool:
    """Only settings that cannot point the watcher at a real folder outside tmp_path."""
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    filing = raw.get("filing")
    inbox = filing.get("inbox") if isinstance(filing, dict) else None
    register = raw.get("register")
    if isinstance(inbox, str):
        inbox = inbox.strip()
        if ".." in inbox or (inbox.startswith("/") and inbox != "/"):
            return False
    return not (isinstance(register, dict) and "url" in register)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=toml_texts)
def test_fuzz_settings_never_end_in_a_traceback(archive: Path, content: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assume(_harmless(content))
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    toml = archive / "ika.toml"
    toml.write_bytes(content)
    runner = CliRunner()
    for command in (["due"], ["case", "list"], ["watch", "--once"]):
        res = runner.invoke(main, [*command, "--archive", str(archive)])
        assert res.exit_code in (0, 1, 2), (command, res.exit_code, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (
            command, content, repr(res.exception))
        assert "Traceback" not in res.output
        if res.exit_code == 1:
            assert res.output.count("Error:") == 1, res.output
        assert toml.read_bytes() == content, command


@pytest.mark.parametrize("column,value", [
    ("received", "9999-12-28"), ("received", "garbage"), ("received", "0001-01-01"),
    ("step", "9999-12-28"), ("step", "31/12/2026"),
])
def test_an_impossible_date_put_in_the_register_by_hand_is_named(
        ika, archive: Path, column: str, value: str) -> None:
    """A row written by an older version or a hand repair: every report says which case and
    which date, in one Error: line, instead of a traceback."""
    case_id = ika(*NEW).stdout.strip()
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    with sqlite3.connect(archive / "register.sqlite3") as db:
        if column == "received":
            db.execute("UPDATE cases SET received = ? WHERE id = ?", (value, case_id))
        else:
            db.execute("UPDATE steps SET done = ? WHERE case_id = ?", (value, case_id))
    for command in (["due"], ["case", "list"], ["case", "show", case_id], ["due", "--json"]):
        one_error(ika(*command, expect=None), case_id, "not a date this archive can have")
