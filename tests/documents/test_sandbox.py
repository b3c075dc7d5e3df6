"""Templates are edited by users in Word: whatever a template says, it cannot run a command.

Each attack is a real template — a copy of a shipped one with the attack typed into it — that
the archive is pointed at (`[documents] templates`), driven through `ika doc make`,
`ika doc check` and `ika case summary`. Each payload would create a marker file; a control
test proves it does when rendered the unsandboxed way, so the other tests are not vacuous.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import jinja2
import pytest
from docx import Document

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Each `touch MARKER` is a shell command a template must not be able to run.
PAYLOADS = {
    "cycler": "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "self": "{{ self.__init__.__globals__.__builtins__.__import__('os')"
            ".popen('touch MARKER').read() }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "joiner": "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "namespace": "{{ namespace.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "mro": "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
           "{% if c.__name__ == 'Popen' %}{{ c(['touch', 'MARKER']).wait() }}{% endif %}"
           "{% endfor %}",
    "attr-filter": "{{ (cycler|attr('__init__')|attr('__globals__'))['os']"
                   ".popen('touch MARKER').read() }}",
    "format": "{{ '{0.__init__.__globals__[os]}'.format(cycler) }}{{ 'touch MARKER' }}",
}


def _payload(name: str, marker: Path) -> str:
    return PAYLOADS[name].replace("MARKER", str(marker))


def evil_templates(tmp_path: Path, text: str, *, where: str = "body",
                   doc_key: str = "makluman-bahagian") -> Path:
    """A copy of the shipped templates with `text` typed into one of them."""
    folder = tmp_path / "templates"
    shutil.copytree(REPO_TEMPLATES, folder)
    path = folder / f"{doc_key}.docx"
    doc = Document(str(path))
    if where == "body":
        doc.add_paragraph(text)
    elif where == "header":
        doc.sections[0].header.add_paragraph(text)
    elif where == "table":
        doc.add_table(rows=1, cols=1).cell(0, 0).text = text
    elif where == "property":  # File > Properties > Title: docxtpl renders it too
        doc.core_properties.title = text
    else:
        raise ValueError(where)
    doc.save(str(path))
    return folder


def use_templates(archive: Path, folder: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(toml.read_text() + f'\n[documents]\ntemplates = "{folder}"\n')


@pytest.fixture
def case_id(ika) -> str:
    return ika("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
               "--type", "mou", "--country", "KR", "--division",
               "Bahagian Keselamatan dan Ketenteraman Awam", "--received", "2026-10-01",
               "--source", "embassy").stdout.strip()


def registered(archive: Path) -> int:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        return db.execute("SELECT count(*) FROM documents").fetchone()[0]


def filed_files(archive: Path) -> list[Path]:
    return [p for p in (archive / "files").rglob("*") if p.is_file()]


def assert_refused(res, template: str) -> None:
    """Exit 1, one `Error:` line that names the template, no traceback."""
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert len(errors) == 1, res.output
    assert template in res.output, res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_control_the_payload_runs_without_the_sandbox(tmp_path: Path, name: str) -> None:
    """The same template rendered by docxtpl's default (unsandboxed) Jinja does run it."""
    from docxtpl import DocxTemplate

    marker = tmp_path / "pwned"
    # .close() rather than .read(): the same reach into Python, and the child is waited for
    folder = evil_templates(tmp_path, _payload(name, marker).replace(".read()", ".close()"))
    tpl = DocxTemplate(str(folder / "makluman-bahagian.docx"))
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)  # the fields may be blank
    env.filters["roman"] = str
    tpl.render({}, jinja_env=env)
    if name == "format":  # str.format only reads attributes: it proves the leak, not a run
        return
    assert marker.exists()


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_doc_make_refuses_a_template_that_reaches_for_python(
        ika, archive: Path, case_id: str, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    use_templates(archive, evil_templates(tmp_path, _payload(name, marker)))
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    assert_refused(res, "makluman-bahagian.docx")
    assert "not allowed in a template" in res.output
    assert not marker.exists()
    assert registered(archive) == 0 and filed_files(archive) == []


@pytest.mark.parametrize("where", ["header", "table", "property"])
def test_every_part_of_the_document_is_sandboxed(
        ika, archive: Path, case_id: str, tmp_path: Path, where: str) -> None:
    marker = tmp_path / "pwned"
    use_templates(archive, evil_templates(tmp_path, _payload("cycler", marker), where=where))
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    assert_refused(res, "makluman-bahagian.docx")
    assert not marker.exists()
    assert registered(archive) == 0


def test_the_id_command_of_the_report_prints_nothing(
        ika, archive: Path, case_id: str, tmp_path: Path) -> None:
    text = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    use_templates(archive, evil_templates(tmp_path, text))
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    assert_refused(res, "makluman-bahagian.docx")
    assert "uid=" not in res.output


@pytest.mark.parametrize("name", ["cycler", "mro", "self"])
def test_doc_check_refuses_it_too(ika, archive: Path, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    use_templates(archive, evil_templates(tmp_path, _payload(name, marker)))
    res = ika("doc", "check", expect=None)
    assert_refused(res, "makluman-bahagian.docx")
    assert not marker.exists()


def test_the_html_summary_is_sandboxed(ika, archive: Path, case_id: str,
                                       tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    folder = tmp_path / "templates"
    shutil.copytree(REPO_TEMPLATES, folder)
    page = folder / "case-summary.html.j2"
    page.write_text(_payload("cycler", marker) + page.read_text())
    use_templates(archive, folder)
    out = tmp_path / "summary.html"
    res = ika("case", "summary", case_id, "-o", str(out), expect=None)
    assert_refused(res, "case-summary.html.j2")
    assert not marker.exists() and not out.exists()


@pytest.mark.parametrize("text", [
    "{{ 'x' * 10**9 }}",
    "{{ [1] * 1000000 }}",
    "{{ 2 ** 100000000 }}",
    "{{ (((10 ** 64) ** 64) ** 64) ** 64 }}",
    "{% set ns = namespace(x=2 ** 64) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
    "{% endfor %}{{ ns.x }}",
    "{{ 1 / 0 }}",
    "{{ 'a' + 1 }}",
])
def test_a_template_cannot_build_a_huge_value(ika, archive: Path, case_id: str,
                                              tmp_path: Path, text: str) -> None:
    use_templates(archive, evil_templates(tmp_path, text))
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    assert_refused(res, "makluman-bahagian.docx")
    assert registered(archive) == 0


def test_a_huge_range_is_refused(ika, archive: Path, case_id: str, tmp_path: Path) -> None:
    use_templates(archive, evil_templates(tmp_path, "{{ range(10**9)|list|length }}"))
    res = ika("doc", "make", case_id, "makluman-bahagian", expect=None)
    assert_refused(res, "makluman-bahagian.docx")


def test_ordinary_templates_still_render_in_the_sandbox(ika, archive: Path, case_id: str,
                                                        tmp_path: Path) -> None:
    """Loops, filters, conditions and dotted fields are all a template needs."""
    text = ("{% for n in kes.senarai_negara %}{{ loop.index|roman }}. {{ n|upper }} "
            "{% endfor %}{{ kes.tajuk|length }} {{ '%s-%s'|format(kes.id, 2) }}")
    use_templates(archive, evil_templates(tmp_path, text))
    out = ika("doc", "make", case_id, "makluman-bahagian").stdout.split()
    body = "\n".join(p.text for p in Document(out[0]).paragraphs)
    assert "i. KOREA SELATAN" in body and f"{case_id}-2" in body
