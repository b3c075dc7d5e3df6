"""Three journeys in a real browser (Debian's Chromium driven by Playwright) against a real
waitress server on 127.0.0.1: the desk officer, the filing clerk and the searcher. Each
saves screenshots of its pages under the test's temporary folder."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.archive import open_archive
from pipeline.filing import uploads
from pipeline.register import accounts
from pipeline.register.cases import get_case
from pipeline.vocab.malay import malay_date

from .conftest import OWN, PASSWORD, case_ids, minimal_pdf

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def server(web_archive: Path) -> Iterator[str]:
    """`ika serve`'s waitress on a free loopback port, in a thread of this process."""
    from waitress import create_server

    from pipeline.web import create_app

    app = create_app(web_archive, config={"LOGIN_DELAY_STEP": 0.0})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(timeout=5)


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(tmp_path / "screenshots")


@pytest.fixture
def contexts() -> Iterator[list]:
    """The browser contexts a test opened, closed after it (a quick browser teardown)."""
    opened: list = []
    yield opened
    for context in opened:
        context.close()


def new_page(browser, server: str, contexts: list | None = None):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ms-MY")
    if contexts is not None:
        contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # CSP violations show up here
    page.goto(server + "/")
    return page


def log_in(page, name: str, password: str = PASSWORD) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")


def flash_ok(page) -> str:
    errors = page.locator(".flash.error")
    assert errors.count() == 0, errors.all_inner_texts()
    return page.locator(".flash.ok").first.inner_text()


def test_officer_journey(browser, server: str, web_archive: Path, shots: Shots,
                         contexts: list) -> None:
    arc = open_archive(web_archive)
    _, otp = accounts.add_user(arc, "aminah", "division", division=OWN)
    page = new_page(browser, server, contexts)
    shots(page, "login")
    log_in(page, "aminah", otp or "")
    page.wait_for_url("**/password")
    shots(page, "one-time-password")
    page.fill("input[name=current]", otp or "")
    page.fill("input[name=new]", "aminah-kata-laluan")
    page.fill("input[name=again]", "aminah-kata-laluan")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(server + "/")
    shots(page, "dashboard")

    page.click("nav >> text=Kes")
    page.click("text=Kes baharu")
    page.fill("input[name=title]", "Kerjasama Pencegahan Pemerdagangan Orang")
    page.fill("input[name=type]", "Memorandum Persefahaman")
    page.locator("input[name=country]").first.fill("Korea Selatan")
    page.select_option("select[name=source]", "embassy")
    page.fill("input[name=received]", "2026-11-02")
    page.check("input[name=confirm]")
    shots(page, "new-case-form")
    page.click("text=Buka kes")
    page.wait_for_url(re.compile(r".*/cases/IKA-2026-\d{4}$"))
    case_id = page.url.rsplit("/", 1)[1]
    assert "Korea Selatan" in page.inner_text(".facts")

    def do(form_action: str, fields: dict[str, str], button: str) -> None:
        form = page.locator(f"form[action$='/{form_action}']").first
        for name, value in fields.items():
            if name == "decision":
                form.locator(f"input[name=decision][value={value}]").check()
            else:
                form.locator(f"[name={name}]").fill(value)
        form.locator("input[name=confirm]").check()
        form.locator(f"button:has-text('{button}')").click()
        page.wait_for_load_state()
        flash_ok(page)

    do("done", {"date": "2026-11-04"}, "Tandakan langkah 1 selesai")
    do("done", {"date": "2026-11-20"}, "Tandakan langkah 2 selesai")
    shots(page, "case-step-3")

    page.locator("tr:has-text('Minit Cerai') >> text=Jana").click()
    page.fill("textarea[name=f_tujuan]", "Memohon kelulusan Pengurusan Tinggi untuk berunding.")
    page.fill("textarea[name=f_latar_belakang]",
              "Kedutaan Republik Korea mencadangkan kerjasama.\n\nDraf telah diedarkan.")
    page.fill("textarea[name=f_ulasan]",
              "PDRM|2026-11-10|Menyokong\nAGC|2026-11-12|Tiada halangan undang-undang")
    page.fill("textarea[name=f_syor]", "Bahagian ini mengesyorkan rundingan diadakan.")
    page.uncheck("input[name=pdf]")  # LibreOffice is tested elsewhere; keep the journey short
    shots(page, "minit-cerai-form")
    page.click("text=Jana dan failkan")
    page.wait_for_url(re.compile(rf".*/cases/{case_id}(#documents)?$"))
    assert "Dijana dan difailkan" in flash_ok(page)

    do("done", {"date": "2026-11-20"}, "Rekod penghantaran")
    do("decide", {"decision": "YA", "date": "2026-11-20"}, "Rekod keputusan")
    do("done", {"date": "2026-11-23"}, "Tandakan langkah 4 selesai")
    do("done", {"date": "2026-11-24"}, "Tandakan langkah 5 selesai")
    do("done", {"date": "2026-11-25"}, "Tandakan langkah 6 selesai")
    do("schedule", {"start": "2026-12-07", "days": "3", "venue": "Seoul"}, "Rekod tarikh")
    shots(page, "case-agreed-dates")

    # the deadlines on the page are the library's, in Malay
    case = get_case(arc, case_id)
    assert case.current_step == 7 and case.decision == "YA"
    for s in case.steps:
        row = page.locator(f"tr[data-step='{s.n}'] td.due")
        want = malay_date(s.due) if s.due else "—"
        assert row.inner_text().strip() == want, (s.n, want)
    assert case.steps[2].late_days == 0
    assert "lewat 2 hari" in page.inner_text("tr[data-step='2']")  # 20 Nov, due 18 Nov
    assert "9 Disember 2026" in page.inner_text("tr[data-step='7']")
    history = page.inner_text("table.history")
    assert "aminah" in history and "keputusan direkodkan" in history  # case.decide, in Malay
    assert page.console_errors == []


def test_clerk_journey(browser, server: str, web_archive: Path, shots: Shots,
                       tmp_path: Path, contexts: list) -> None:
    own, _ = case_ids(web_archive)
    page = new_page(browser, server, contexts)
    log_in(page, "clerk")
    page.click("nav >> text=Peti Masuk")
    shots(page, "inbox-empty")
    scan = CORPUS / "scans" / "phototest.tif"
    text_pdf = CORPUS / "pdf" / "google-doc-document.pdf"
    page.set_input_files("#upload-files", [str(scan), str(text_pdf)])
    page.click("#upload-form button[type=submit]")
    done = page.locator("#upload-progress li[data-status]")
    done.nth(1).wait_for(timeout=90_000)
    statuses = done.evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["filed", "filed"], done.all_inner_texts()
    shots(page, "inbox-uploaded")

    scan_doc = re.search(r"DOC-\d+", done.first.inner_text()).group(0)
    page.reload()
    rows = page.locator("#unassigned ~ table tbody tr")
    assert rows.count() == 2
    row = page.locator(f"#unassigned ~ table tbody tr:has-text('{scan_doc}')")
    row.locator("input[name=case_id]").fill(own)
    row.locator("button:has-text('Pautkan')").click()
    page.wait_for_load_state()
    assert own in flash_ok(page)
    assert page.locator("#unassigned ~ table tbody tr").count() == 1

    copy = tmp_path / "password-protected.pdf"
    shutil.copy(CORPUS / "pdf" / "password-protected.pdf", copy)
    page.set_input_files("#upload-files", [str(copy)])
    page.click("#upload-form button[type=submit]")
    page.locator("#upload-progress li[data-status]").first.wait_for(timeout=30_000)
    assert page.locator("#upload-progress li[data-status=failed]").count() == 1
    page.reload()
    failed = page.locator("#failed ~ table tbody tr:has-text('password-protected.pdf')")
    assert "memerlukan kata laluan" in failed.inner_text().lower()  # the reason, in Malay
    shots(page, "inbox-failed")
    failed.locator("input[name=password]").fill("openpassword")
    failed.locator("button:has-text('Cuba semula')").click()
    page.wait_for_load_state()
    assert "difailkan" in flash_ok(page)
    assert "Tiada." in page.inner_text("#failed ~ p")
    shots(page, "inbox-retried")
    assert page.console_errors == []


@pytest.fixture
def instruments(web_archive: Path) -> dict[str, str]:
    import io

    arc = open_archive(web_archive)
    own, other = case_ids(web_archive)
    texts = {
        "mou-id": (own, ["MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN",
                         "REPUBLIK INDONESIA MENGENAI KERJASAMA PENCEGAHAN JENAYAH",
                         "Kedua-dua Pihak bersetuju untuk bekerjasama dalam pencegahan jenayah",
                         "rentas sempadan dan pemerdagangan orang."]),
        "mou-th": (other, ["MEMORANDUM OF UNDERSTANDING BETWEEN THE GOVERNMENT OF MALAYSIA",
                           "AND THE GOVERNMENT OF THE KINGDOM OF THAILAND ON IMMIGRATION",
                           "The Parties shall cooperate on border management."]),
        "agreement-id": (None, ["AGREEMENT BETWEEN MALAYSIA AND THE REPUBLIC OF INDONESIA",
                                "ON EXTRADITION", "The Parties agree to extradite persons."]),
    }
    ids = {}
    for key, (case, lines) in texts.items():
        out = uploads.file_upload(arc, f"{key}.pdf", io.BytesIO(minimal_pdf(lines)),
                                  case_id=case, by="setup")
        assert out.status == "filed", out
        ids[key] = out.doc_id or ""
    return ids


def test_searcher_journey(browser, server: str, instruments: dict[str, str],
                          shots: Shots, contexts: list) -> None:
    page = new_page(browser, server, contexts)
    log_in(page, "reader")
    page.click("nav >> text=Carian")
    page.fill("input[name=q]", "kerjasama")
    page.click("#search-form .row button[type=submit]")
    page.wait_for_url(re.compile(r".*/search\?q=kerjasama.*"))
    shots(page, "search-words")
    page.locator("fieldset[data-facet=country] label:has-text('Indonesia') input").check()
    page.wait_for_url(re.compile(r".*country=ID.*"))
    page.locator("fieldset[data-facet=type] label:has-text('Memorandum Persefahaman') input"
                 ).check()
    page.wait_for_url(re.compile(r".*type=mou.*"))
    shots(page, "search-facets")
    hits = page.locator("li.hit")
    assert hits.count() == 1
    assert page.locator("li.hit mark").count() >= 1
    assert "Indonesia" in hits.first.inner_text()
    url = page.url
    assert "q=kerjasama" in url and "country=ID" in url and "type=mou" in url
    page.locator("li.hit a.title").click()
    page.wait_for_url(f"**/doc/{instruments['mou-id']}")
    frame = page.locator("iframe.preview")
    assert frame.get_attribute("src") == f"/doc/{instruments['mou-id']}/pdf"
    shots(page, "document-preview")
    pdf = page.request.get(server + f"/doc/{instruments['mou-id']}/pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.goto(url)  # the URL holds the search: shared, it shows the same
    assert page.locator("li.hit").count() == 1
    assert page.console_errors == []
