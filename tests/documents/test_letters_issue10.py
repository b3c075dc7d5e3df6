"""Issue 10: every document fit to sign as it comes out — each writer's own letterhead,
reference and signatory, formal country names, what the case knows reused, security
markings, one invitation per invitee or a distribution list, and clean Malay."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from pipeline.documents import letters
from pipeline.errors import TemplateError
from pipeline.register import sop
from pipeline.settings import default_text, parse
from pipeline.vocab.countries import (
    country_formal_ms,
    government_ms,
    is_commonwealth,
    mission_ms,
)
from pipeline.vocab.formal_names import COMMONWEALTH, FORMAL_MS, SOVEREIGN
from pipeline.vocab.malay import MONTHS, malay_date, malay_date_range, malay_period
from tests.conftest import as_json, signed
from tests.documents.test_letters import (
    DIVISION,
    DIVISION_REF,
    FILE_REF,
    SETS,
    TEMPLATES,
    TODAY,
    make_case,
)

SETTINGS = parse(signed(default_text()))
KKA_ADDRESS = "Blok D1 & D2, Kompleks D"  # the Division's own (the Ministry's HQ)
AB_ADDRESS = "Aras 7, Blok D1, Kompleks D"
AB_EMAIL = "ab@moha.gov.my"
PAIRS = [(key, decision) for key, (step, _doc) in sop.DOCUMENTS.items()
         for decision in ("YA", "TIDAK") if sop.applies(step, decision)]
ACTOR = {key: step.actor for key, (step, _doc) in sop.DOCUMENTS.items()}

# What the case knows, as `--set` or `ika case done --set` gave it.
KNOWN = {
    "tarikh_surat": "2026-03-12",
    "nota_kedutaan": "KOR/NV/2026/045",
    "tarikh_nota": "2026-03-09",
    "kehadiran": "KLN; AGC; PDRM",
    "tempat": "Bilik Mesyuarat Utama, Aras 7",
}
RICH_SETS: dict[str, dict[str, str]] = {
    **SETS,
    "makluman-keputusan": {
        "hasil_mesyuarat": "Mesyuarat bersetuju dengan draf.\nrundingan akan diadakan di Seoul",
        "sebab": "Tiada keperluan pada masa ini.\nKerjasama sedia ada mencukupi",
    },
    "memo-kln": {"sebab": "Tiada keperluan pada masa ini."},
}


# ---------------------------------------------------------------- helpers


def parts(path: Path) -> dict[str, str]:
    """The text of each part of a letter: body, first-page and later headers and footers."""
    doc = Document(str(path))
    s = doc.sections[0]

    def text(root: Any) -> str:
        marks = {qn("w:tab"): "\t", qn("w:br"): "\n"}
        lines = []
        for p in root.iter(qn("w:p")):  # a run's tabs and breaks, not the tab stops
            els = [e for e in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"))
                   if e.tag == qn("w:t") or e.getparent().tag == qn("w:r")]
            lines.append("".join(marks.get(e.tag) or e.text or "" for e in els))
        return "\n".join(lines)

    return {
        "body": text(doc.element.body),
        "head1": text(s.first_page_header._element),
        "head": text(s.header._element),
        "foot1": text(s.first_page_footer._element),
        "foot": text(s.footer._element),
    }


def render(doc_key: str, case: dict[str, Any], out: Path, *, to: str | None = None,
           sets: dict[str, str] | None = None, settings_: Any = SETTINGS,
           recipients: tuple[str, ...] = (), root: Path | None = None) -> Path:
    ctx = letters.build_context(case, doc_key, settings_, to_key=to,
                                overrides=RICH_SETS.get(doc_key, {}) if sets is None else sets,
                                today=TODAY, recipients=recipients, archive_root=root)
    name = f"{doc_key}-{to}" if to else doc_key
    return letters.render(doc_key, ctx, out / f"{name}.docx", templates_dir=TEMPLATES)


def rich_case(decision: str | None, **changes: Any) -> dict[str, Any]:
    case = make_case(decision, source="kln", their_ref="KLN.600-5/2/17", security="SULIT",
                     values=dict(KNOWN))
    case.update(changes)
    return case


def numbered_paragraphs(body: str) -> list[str]:
    return [line for line in body.splitlines() if re.match(r"\d+(\.\d+)?\.?\t", line)]


# ---------------------------------------------------------------- every template


ABBREVIATIONS = {"KDN", "SOP", "IKA", "BJA", "KLN", "AGC", "PDRM", "JIM", "PUU-KDN", "RELA"}
WEEKDAYS = {"Isnin", "Selasa", "Rabu", "Khamis", "Jumaat", "Sabtu", "Ahad"}


def stand_ins(text: str, allowed: set[str]) -> list[str]:
    """Parenthesised words that are not a known abbreviation, a weekday, a sub-item number or
    something the case gave: what a stand-in like "(NAMA PEGAWAI)" would be."""
    out = []
    for m in re.finditer(r"\(([^()]*)\)", text):
        inner = m.group(1)
        if inner in ABBREVIATIONS or inner in WEEKDAYS or inner in allowed:
            continue
        if re.fullmatch(r"[ivx]+", inner):
            continue
        out.append(m.group(0))
    return out


@pytest.mark.parametrize(("doc_key", "decision"), PAIRS)
def test_every_template_reads_as_signed(doc_key: str, decision: str, tmp_path: Path) -> None:
    to = "AGC" if doc_key == "permohonan-ulasan" else None
    path = render(doc_key, rich_case(decision), tmp_path, to=to)
    p = parts(path)
    body = p["body"]
    everything = "\n".join(p.values())
    division_letter = ACTOR[doc_key] == "Division"
    signer = "PEGAWAI KKA 1" if division_letter else "PEGAWAI AB 1"
    # no placeholder, no parenthesised stand-in, no flowchart word, no unfilled tag
    for bad in ("NAMA PEGAWAI", "yang berkaitan)", "None", "{{", "{%", "(YA)", "(TIDAK)"):
        assert bad not in everything, bad
    assert stand_ins(everything, {signer, "03-8886 1234"}) == []
    # no line printed twice (a line of four words or more: addresses and posts may repeat
    # across the addressee and the signature, sentences and list items never)
    lines = [" ".join(x.split()) for x in body.splitlines() if len(x.split()) >= 4]
    assert len(lines) == len(set(lines)), [x for x in lines if lines.count(x) > 1]
    # the writer's own reference, letterhead, address and signatory
    ours = DIVISION_REF if division_letter else FILE_REF
    assert re.search(rf"Ruj\.( Kami)?\t:\t? ?{re.escape(ours)}", body), ours
    assert f"({signer})" in body
    if doc_key != "minit-cerai":
        assert "KEMENTERIAN DALAM NEGERI\nMINISTRY OF HOME AFFAIRS" in p["head1"]
        own, other = (KKA_ADDRESS, AB_ADDRESS) if division_letter else (AB_ADDRESS, KKA_ADDRESS)
        assert own in p["head1"] and other not in p["head1"]
        assert (AB_EMAIL in p["head1"]) == (not division_letter)
        assert (DIVISION.upper() if division_letter else "BAHAGIAN ANTARABANGSA") in p["head1"]
        assert "MALAYSIA MADANI\nBERKHIDMAT UNTUK NEGARA" in body
        assert body.count("terima kasih") == 1  # thanked once
    # the formal country name, never the short one
    assert "Republik Korea" in body and "Korea Selatan" not in body
    # the marking at the top and the foot of every page, the reference from page 2
    for part in ("head1", "head", "foot1", "foot"):
        assert p[part].lstrip().startswith("SULIT") or "\nSULIT" in p[part], part
    assert ours in p["head"]
    # no full sentence runs on after a colon inside a numbered paragraph
    for line in numbered_paragraphs(body):
        assert not re.search(r":\s+[A-Z][a-z]", line), line


# ---------------------------------------------------------------- 1. the directory


def test_init_writes_kdn_divisions_and_agencies_with_unnamed_signatories() -> None:
    s = parse(default_text())
    for key in ("KKA", "PDRM", "JIM", "APMM", "AADK", "JPN", "RELA", "PENJARA", "APM", "JPPM"):
        assert key in s.divisions, key
    assert s.divisions["KKA"].name == "Bahagian Keselamatan dan Ketenteraman Awam"
    assert s.divisions["PDRM"].kind == "agensi" and s.divisions["PDRM"].head == "Ketua Polis Negara"
    assert s.ab is not None and s.ab.name == "Bahagian Antarabangsa"  # AB: the organisation
    for sender in [s.ab, *s.divisions.values()]:
        assert sender.signatories and all(sig.placeholder for sig in sender.signatories)
    assert s.organisation["slogans"] == ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]
    assert s.organisation["name_en"] == "Ministry of Home Affairs"
    assert "PDRM" in s.directory  # every Division and agency is an addressee too
    assert s.directory["PDRM"]["organisation"] == "Polis Diraja Malaysia"


def test_a_division_is_given_by_key_or_name_and_kept_by_its_name(ika) -> None:
    def new(division: str) -> Any:
        res = ika("case", "new", "--title", "Ujian", "--type", "mou", "--country", "KR",
                  "--division", division)
        return res, as_json(ika("case", "show", res.stdout.strip(), "--json"))

    for given_ in ("KKA", "kka", "  bahagian keselamatan DAN  ketenteraman awam "):
        _, data = new(given_)
        assert data["division"] == DIVISION
    _, data = new("pdrm")
    assert data["division"] == "Polis Diraja Malaysia"
    res, data = new("Bahagian Baharu")
    assert data["division"] == "Bahagian Baharu"  # not in the directory: kept as typed
    assert "not in ika.toml [divisions]" in res.stderr
    ika("case", "edit", data["id"], "--division", "JIM")
    assert as_json(ika("case", "show", data["id"], "--json"))["division"] == \
        "Jabatan Imigresen Malaysia"


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An archive exactly as `ika init` writes it: no officer named yet."""
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    root = tmp_path / "fresh"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--archive", str(root)]).exit_code == 0

    def run(*args: str, expect: int | None = 0) -> Any:
        res = runner.invoke(main, [*args, "--archive", str(root)])
        if expect is not None:
            assert res.exit_code == expect, res.output
        return res

    run.root = root  # type: ignore[attr-defined]
    return run


def _documents(root: Path) -> list[tuple]:
    with sqlite3.connect(root / "register.sqlite3") as db:
        return db.execute("SELECT id, name, security FROM documents ORDER BY id").fetchall()


def test_a_letter_stops_naming_the_key_to_fill_never_a_placeholder(fresh) -> None:
    case_id = fresh("case", "new", "--title", "Ujian", "--type", "mou", "--country", "KR",
                    "--division", "KKA", "--received", "2026-10-01").stdout.strip()
    res = fresh("doc", "make", case_id, "makluman-bahagian", expect=1)
    assert res.output.startswith("Error: makluman-bahagian: Bahagian Antarabangsa writes")
    assert "fill in organisation.signatories[1].name" in res.output
    res = fresh("doc", "make", case_id, "permohonan-ulasan", "--to", "AGC", expect=1)
    assert "divisions.KKA.file_ref" in res.output
    assert "divisions.KKA.signatories[1].name" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert _documents(fresh.root) == []  # nothing half-made was filed
    toml = fresh.root / "ika.toml"
    toml.write_text(signed(toml.read_text()))
    res = fresh("doc", "make", case_id, "permohonan-ulasan", "--to", "AGC", expect=1)
    assert "kes.permintaan: recorded by `ika case edit --source" in res.output  # no source
    fresh("case", "edit", case_id, "--source", "embassy")
    fresh("doc", "make", case_id, "permohonan-ulasan", "--to", "AGC")


def test_doc_check_lists_incomplete_entries(fresh) -> None:
    res = fresh("doc", "check")
    assert "all templates render" in res.stdout and "incomplete" in res.stdout
    assert ("incomplete: organisation (Bahagian Antarabangsa): fill in "
            "organisation.signatories[1].name") in res.stderr
    assert "incomplete: divisions.PDRM (Polis Diraja Malaysia): fill in divisions.PDRM.file_ref"\
        in res.stderr
    assert "divisions.APM.address" in res.stderr  # no address published with confidence
    assert "note: divisions.KKA (Bahagian Keselamatan dan Ketenteraman Awam): no email" \
        in res.stderr
    res = fresh("doc", "check", "--strict", expect=1)
    assert "entries of ika.toml incomplete" in res.output


def test_an_ika_toml_from_before_the_directory_still_works(fresh) -> None:
    old = (Path(__file__).parents[1] / "fixtures" / "ika-before-divisions.toml").read_text()
    (fresh.root / "ika.toml").write_text(old)
    case_id = fresh("case", "new", "--title", "Ujian", "--type", "mou", "--country", "KR",
                    "--division", "Bahagian Keselamatan dan Ketenteraman Awam",
                    "--received", "2026-10-01").stdout.strip()
    fresh("due")
    res = fresh("doc", "make", case_id, "makluman-bahagian", expect=1)
    assert "fill in signatories.AB.name" in res.output  # "(NAMA PEGAWAI)" is no name
    (fresh.root / "ika.toml").write_text(old.replace('name = "(NAMA PEGAWAI)"',
                                                     'name = "Aminah binti Ali"', 1))
    res = fresh("doc", "make", case_id, "makluman-bahagian", expect=1)
    assert "is not in ika.toml [divisions]" in res.output  # its address: from the directory
    res = fresh("doc", "make", case_id, "memo-kln", expect=1)  # step 6: not yet decided
    assert "Error:" in res.output


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda t: t.replace('phone = "03-2266 2222"', "phone = 5"), "divisions.PDRM.phone"),
        (lambda t: t.replace('[divisions.JIM]\nkind = "agensi"', '[divisions.JIM]\nkind = "x"'),
         "divisions.JIM.kind"),
        (lambda t: t + '\n[divisions.X]\nname = "Polis Diraja Malaysia"\n', "divisions.X"),
        (lambda t: t + "\n[divisions.Y]\nname = \"Y\"\nsignatories = \"Ali\"\n",
         "divisions.Y.signatories"),
        (lambda t: t + '\n[divisions.Z]\nname = "Z"\nfile_ref = "{seq.__class__}"\n',
         "divisions.Z.file_ref"),
        (lambda t: t.replace('slogans = ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]',
                             "slogans = 5"), "organisation.slogans"),
    ],
)
def test_a_wrong_directory_entry_is_one_error_naming_the_key(ika, archive: Path, edit,
                                                             key: str) -> None:
    toml = archive / "ika.toml"
    toml.write_text(edit(toml.read_text()))
    res = ika("due", expect=1)
    assert res.output.count("Error:") == 1 and key in res.output


# ---------------------------------------------------------------- the writer of each letter


def test_makluman_bahagian_goes_to_the_division_at_its_own_address(tmp_path: Path) -> None:
    body = parts(render("makluman-bahagian", rich_case(None), tmp_path))["body"]
    assert (f"Setiausaha Bahagian\n{DIVISION}\nKementerian Dalam Negeri\n{KKA_ADDRESS}"
            in body)
    assert AB_ADDRESS not in body


def test_an_agency_writes_on_its_own_letterhead(tmp_path: Path) -> None:
    case = rich_case(None, division="Polis Diraja Malaysia")
    p = parts(render("permohonan-ulasan", case, tmp_path, to="AGC"))
    assert "POLIS DIRAJA MALAYSIA\nROYAL MALAYSIA POLICE" in p["head1"]
    assert "KEMENTERIAN DALAM NEGERI" not in p["head1"]
    assert "Bukit Aman" in p["head1"] and "www.rmp.gov.my" in p["head1"]
    assert "(PEGAWAI PDRM 1)\nKetua Polis Negara\nPolis Diraja Malaysia" in p["body"]
    assert "KDN.PDRM.100-1/2026/0001" in p["body"]


def test_the_second_signatory_signs_for_someone(tmp_path: Path) -> None:
    raw = signed(default_text()).replace(
        '{ name = "Pegawai AB 1", post = "Setiausaha Bahagian" },',
        '{ name = "Pegawai AB 1", post = "Setiausaha Bahagian" },\n'
        '  { name = "Hajah Rosnah binti Omar", post = "Timbalan Setiausaha Bahagian", '
        'on_behalf = "Ketua Setiausaha" },',
    )
    s = parse(raw)
    body = parts(render("memo-kln", rich_case("YA"), tmp_path, sets={"signatory": "AB:2"},
                        settings_=s))["body"]
    assert ("(HAJAH ROSNAH BINTI OMAR)\nTimbalan Setiausaha Bahagian\nBahagian Antarabangsa\n"
            "b.p. Ketua Setiausaha\nKementerian Dalam Negeri") in body
    with pytest.raises(TemplateError, match=r"has 2 signatories .* not a number 3"):
        render("memo-kln", rich_case("YA"), tmp_path, sets={"signatory": "3"}, settings_=s)
    with pytest.raises(TemplateError, match=r"no writer 'XYZ'"):
        render("memo-kln", rich_case("YA"), tmp_path, sets={"signatory": "XYZ"}, settings_=s)


def test_the_division_reference_can_be_the_cases_own(tmp_path: Path) -> None:
    case = rich_case("YA", values={**KNOWN, "ruj_bahagian": "KDN.KKA(S)/2026/77"})
    body = parts(render("serahan-dokumen", case, tmp_path))["body"]
    assert "Ruj. Kami\t: KDN.KKA(S)/2026/77" in body
    assert DIVISION_REF not in body


# ---------------------------------------------------------------- 2. formal country names


def test_every_iso_country_has_a_formal_malay_name() -> None:
    import pycountry

    codes = {c.alpha_2 for c in pycountry.countries}
    assert set(FORMAL_MS) == codes  # none missing, none extra
    for code, name in FORMAL_MS.items():
        assert name.strip() == name and name, code
        assert country_formal_ms(code) == name
        assert not government_ms(code).startswith("Kerajaan Kerajaan"), code
    assert set(SOVEREIGN) <= codes and all(v is None or v in codes for v in SOVEREIGN.values())


def test_the_commonwealth_has_its_56_members() -> None:
    import pycountry

    assert len(COMMONWEALTH) == 56
    assert {c.alpha_2 for c in pycountry.countries} >= COMMONWEALTH
    for member in ("MY", "GB", "SG", "IN", "AU", "NZ", "BN", "RW", "MZ", "GA", "TG", "CM",
                   "TV", "NR", "MV", "FJ", "ZA", "CA"):
        assert is_commonwealth(member), member
    for outsider in ("US", "IE", "ZW", "ID", "TH", "KR", "CN", "HK", "JP", "SD"):
        assert not is_commonwealth(outsider), outsider


@pytest.mark.parametrize(
    ("code", "government", "mission"),
    [
        ("KR", "Kerajaan Republik Korea", "Kedutaan Besar Republik Korea"),
        ("CN", "Kerajaan Republik Rakyat China", "Kedutaan Besar Republik Rakyat China"),
        ("RU", "Kerajaan Persekutuan Rusia", "Kedutaan Besar Persekutuan Rusia"),
        ("US", "Kerajaan Amerika Syarikat", "Kedutaan Besar Amerika Syarikat"),
        ("SA", "Kerajaan Arab Saudi", "Kedutaan Besar Kerajaan Arab Saudi"),
        ("ID", "Kerajaan Republik Indonesia", "Kedutaan Besar Republik Indonesia"),
        ("TH", "Kerajaan Thailand", "Kedutaan Besar Kerajaan Thailand"),
        ("SG", "Kerajaan Republik Singapura", "Suruhanjaya Tinggi Republik Singapura"),
        ("GB", "Kerajaan United Kingdom of Great Britain dan Ireland Utara",
         "Suruhanjaya Tinggi United Kingdom of Great Britain dan Ireland Utara"),
        ("AU", "Kerajaan Australia", "Suruhanjaya Tinggi Australia"),
        ("BN", "Kerajaan Negara Brunei Darussalam", "Suruhanjaya Tinggi Negara Brunei Darussalam"),
        ("JP", "Kerajaan Jepun", "Kedutaan Besar Jepun"),
        ("HK", "Kerajaan Wilayah Pentadbiran Khas Hong Kong Republik Rakyat China",
         "Kedutaan Besar Republik Rakyat China"),
        ("AI", "Kerajaan Anguilla",
         "Suruhanjaya Tinggi United Kingdom of Great Britain dan Ireland Utara"),
        ("VA", "Kerajaan Takhta Suci", "Nunsiatur Apostolik"),
    ],
)
def test_formal_names_and_missions(code: str, government: str, mission: str) -> None:
    assert government_ms(code) == government
    assert mission_ms(code) == mission


def test_a_letter_names_the_parties_and_missions_formally(tmp_path: Path) -> None:
    case = rich_case("YA", countries=["GB", "SA"], level="multilateral")
    body = parts(render("memo-kln", case, tmp_path))["body"]
    assert ("ANTARA KERAJAAN MALAYSIA, KERAJAAN UNITED KINGDOM OF GREAT BRITAIN DAN IRELAND "
            "UTARA DAN KERAJAAN ARAB SAUDI") in body
    assert ("Suruhanjaya Tinggi United Kingdom of Great Britain dan Ireland Utara dan Kedutaan "
            "Besar Kerajaan Arab Saudi di Kuala Lumpur melalui Nota Diplomatik") in body


# ---------------------------------------------------------------- 3. the letterhead


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (60, 50), (200, 160, 0)).save(path)
    return path


def test_the_crest_sits_on_the_first_page_only(tmp_path: Path) -> None:
    root = tmp_path / "arc"
    root.mkdir()
    _png(root / "jata.png")
    s = parse(signed(default_text()).replace('crest = ""', 'crest = "jata.png"', 1))
    path = render("memo-kln", rich_case("YA"), tmp_path, settings_=s, root=root)
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header._element.xpath(".//w:drawing")
    assert not section.header._element.xpath(".//w:drawing")
    assert section.header._element.xpath(".//w:fldSimple[contains(@w:instr, 'PAGE')]")


def test_the_crest_path_is_checked(tmp_path: Path) -> None:
    root = tmp_path / "arc"
    root.mkdir()
    outside = _png(tmp_path / "jata.png")
    (root / "bukan.png").write_text("bukan imej")
    assert letters.crest_path(str(outside), root) == outside  # absolute: fine
    assert letters.crest_path("", root) is None
    with pytest.raises(TemplateError, match=r"organisation\.crest = '\.\./jata\.png'.*inside"):
        letters.crest_path("../jata.png", root)
    with pytest.raises(TemplateError, match=r"organisation\.crest = 'tiada\.png': cannot read"):
        letters.crest_path("tiada.png", root)
    with pytest.raises(TemplateError, match=r"is not a PNG, JPEG or GIF"):
        letters.crest_path("bukan.png", root)


def test_doc_check_reports_an_unusable_crest(ika, archive: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(toml.read_text().replace('crest = ""', 'crest = "tiada.png"', 1))
    res = ika("doc", "check", "--strict", expect=1)
    assert "organisation.crest = 'tiada.png': cannot read" in res.stderr


def test_slogans_are_a_list(tmp_path: Path) -> None:
    s = parse(signed(default_text()).replace(
        'slogans = ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]',
        'slogans = ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA", "NEGARA SELAMAT"]'))
    body = parts(render("memo-kln", rich_case("YA"), tmp_path, settings_=s))["body"]
    assert "MALAYSIA MADANI\nBERKHIDMAT UNTUK NEGARA\nNEGARA SELAMAT\n" in body


# ---------------------------------------------------------------- 4. what the case knows


def _walk_to_meeting(ika, source: str = "kln") -> str:
    case_id = ika("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
                  "--type", "mou", "--country", "KR", "--division", "KKA", "--source", source,
                  "--received", "2026-10-01", "--their-ref", "KLN.600-5/2/17").stdout.strip()
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    ika("case", "decide", case_id, "--approve", "--date", "2026-10-15")
    return case_id


def _text(path: str) -> str:
    return parts(Path(path))["body"]


def test_what_the_case_knows_is_given_once_and_reused(ika) -> None:
    case_id = _walk_to_meeting(ika)
    ika("doc", "make", case_id, "jemputan-mesyuarat", "--set", "tarikh_mesyuarat=2026-10-20",
        "--set", "masa=10.00 pagi", "--set", "tempat=Bilik Mesyuarat Utama",
        "--set", "agenda=Taklimat draf; Hal-hal lain")
    out = ika("case", "done", case_id, "4", "--date", "2026-10-21",
              "--set", "hasil_mesyuarat=Mesyuarat bersetuju dengan draf.\\nRundingan di Seoul.",
              "--set", "kehadiran=KLN; AGC").stdout
    assert "hasil_mesyuarat — -> 'Mesyuarat bersetuju" in out
    # a second invitation, one per invitee, needs nothing typed again
    ika("doc", "make", case_id, "jemputan-mesyuarat", "--to", "KLN")
    text = _text(ika("doc", "make", case_id, "makluman-keputusan").stdout.split()[0])
    assert ("Mesyuarat Persediaan Rundingan telah diadakan pada 20 Oktober 2026 (Selasa) di "
            "Bilik Mesyuarat Utama dan dihadiri oleh wakil Kementerian Luar Negeri (KLN) dan "
            "Jabatan Peguam Negara (AGC).") in text
    assert "4.\tMesyuarat bersetuju dengan draf.\n" in text
    assert "5.\tRundingan di Seoul.\n" in text and "6.\tSehubungan itu" in text
    memo = _text(ika("doc", "make", case_id, "memo-kln").stdout.split()[0])
    assert "3.\tMesyuarat bersetuju dengan draf." in memo
    history = as_json(ika("case", "show", case_id, "--json"))["history"]
    notes = [e["note"] for e in history if e["action"] == "case.value"]
    assert "tarikh_mesyuarat: — -> '2026-10-20'" in notes
    assert "kehadiran: — -> 'KLN; AGC'" in notes
    listing = as_json(ika("doc", "list", case_id, "--json"))
    uses = {row["document"]: row["uses"] for row in listing["documents"]}
    assert uses["makluman-keputusan"]["tempat"] == "Bilik Mesyuarat Utama"
    assert uses["memo-kln"]["ruj_surat"] == "KLN.600-5/2/17"
    human = ika("doc", "list", case_id).stdout
    assert "uses what the case knows: tarikh_mesyuarat=2026-10-20; masa=10.00 pagi" in human
    # a value given again replaces the kept one, with its old value in the history
    ika("doc", "make", case_id, "makluman-keputusan", "--set", "tempat=Bilik Gerakan")
    notes = [e["note"] for e in as_json(ika("case", "show", case_id, "--json"))["history"]
             if e["action"] == "case.value"]
    assert "tempat: 'Bilik Mesyuarat Utama' -> 'Bilik Gerakan'" in notes


def test_the_request_and_the_embassys_note_are_cited(ika) -> None:
    case_id = ika("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
                  "--type", "mou", "--country", "KR", "--division", "KKA", "--source", "kln",
                  "--received", "2026-10-01").stdout.strip()
    text = _text(ika("doc", "make", case_id, "makluman-bahagian",
                     "--set", "ruj_surat=KLN.600-5/2/17", "--set", "tarikh_surat=2026-09-28",
                     "--set", "nota_kedutaan=KOR/NV/2026/045",
                     "--set", "tarikh_nota=2026-09-25").stdout.split()[0])
    assert ("telah menerima surat Kementerian Luar Negeri rujukan KLN.600-5/2/17 bertarikh "
            "28 September 2026 yang memanjangkan Nota Diplomatik Kedutaan Besar Republik Korea "
            "di Kuala Lumpur No. KOR/NV/2026/045 bertarikh 25 September 2026 pada 1 Oktober "
            "2026") in text
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["their_ref"] == "KLN.600-5/2/17"  # ruj_surat is the case's their_ref
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    ika("case", "decide", case_id, "--reject", "--date", "2026-10-15")
    ika("case", "done", case_id, "5", "--date", "2026-10-16")
    memo = _text(ika("doc", "make", case_id, "memo-kln").stdout.split()[0])
    assert "Ruj. Tuan\t: KLN.600-5/2/17" in memo
    assert "saya merujuk perkara di atas dan surat tuan bertarikh 28 September 2026." in memo
    assert ("melalui Nota Diplomatik sebagai maklum balas kepada Nota Diplomatik No. "
            "KOR/NV/2026/045 bertarikh 25 September 2026 dan menyalinkan") in memo


def test_a_wrong_value_for_the_case_is_refused_before_the_step_is_done(ika) -> None:
    case_id = _walk_to_meeting(ika)
    res = ika("case", "done", case_id, "4", "--set", "warna=merah", expect=1)
    assert "'warna' is not a value the case keeps" in res.output
    res = ika("case", "done", case_id, "4", "--set", "tarikh_mesyuarat=esok", expect=1)
    assert "not a date" in res.output
    assert as_json(ika("case", "show", case_id, "--json"))["current_step"] == 4


# ---------------------------------------------------------------- 5. security markings


def test_the_cases_marking_is_printed_and_a_document_may_have_its_own(ika, archive: Path) -> None:
    case_id = ika("case", "new", "--title", "Ujian", "--type", "mou", "--country", "KR",
                  "--division", "KKA", "--source", "kln", "--received", "2026-10-01",
                  "--security", "sulit").stdout.strip()
    assert as_json(ika("case", "show", case_id, "--json"))["security"] == "SULIT"
    p = parts(Path(ika("doc", "make", case_id, "makluman-bahagian").stdout.split()[0]))
    for part in ("head1", "head", "foot1", "foot"):
        assert "SULIT" in p[part], part
    p = parts(Path(ika("doc", "make", case_id, "makluman-bahagian", "--security", "Rahsia Besar")
                   .stdout.split()[0]))
    assert "RAHSIA BESAR" in p["head1"] and "SULIT" not in p["head1"]
    assert [row[2] for row in _documents(archive)] == [None, "RAHSIA BESAR"]
    res = ika("doc", "make", case_id, "makluman-bahagian", "--security", "SECRET", expect=1)
    assert "not a security marking" in res.output and "TERHAD, SULIT" in res.output
    ika("case", "edit", case_id, "--security", "")
    p = parts(Path(ika("doc", "make", case_id, "makluman-bahagian").stdout.split()[0]))
    assert "SULIT" not in "\n".join(p.values())


# ---------------------------------------------------------------- 6. the invitation


def test_one_invitation_per_invitee_never_the_addressee_among_the_others(ika) -> None:
    case_id = _walk_to_meeting(ika)
    out = ika("doc", "make", case_id, "jemputan-mesyuarat", "--to", "KLN", "--to", "AGC",
              "--to", "PDRM", "--set", "tarikh_mesyuarat=2026-10-20", "--set", "masa=10.00 pagi",
              "--set", "tempat=Bilik Mesyuarat Utama", "--set", "agenda=Taklimat draf",
              "--set", "bja=PDRM; AGC; JIM").stdout.split()
    assert [Path(p).name for p in out] == ["jemputan-mesyuarat-KLN-v1.docx",
                                           "jemputan-mesyuarat-AGC-v1.docx",
                                           "jemputan-mesyuarat-PDRM-v1.docx"]
    names = {"KLN": "Kementerian Luar Negeri (KLN)", "AGC": "Jabatan Peguam Negara (AGC)",
             "PDRM": "Polis Diraja Malaysia (PDRM)", "JIM": "Jabatan Imigresen Malaysia (JIM)"}
    for key, path in zip(("KLN", "AGC", "PDRM"), out, strict=True):
        text = _text(path)
        invited = re.findall(r"\([ivx]+\)\t(.+)", text.split("turut dihadiri", 1)[1])
        invited = [x for x in invited if "Taklimat" not in x]
        assert names[key] not in invited, key  # never the addressee
        assert len(invited) == len(set(invited)), invited  # never twice
        assert set(invited) == {n for k, n in names.items() if k != key} | \
            {"Kedutaan Besar Republik Korea di Kuala Lumpur"}
        asks_kln = "memanjangkan jemputan ini kepada Kedutaan Besar Republik Korea" in text
        assert asks_kln == (key == "KLN")


def test_one_invitation_with_a_distribution_list(tmp_path: Path) -> None:
    sets = dict(SETS["jemputan-mesyuarat"], bja="PDRM; AGC; Jabatan Peguam Negara")
    body = parts(render("jemputan-mesyuarat", rich_case("YA"), tmp_path, sets=sets))["body"]
    assert "Seperti Senarai Edaran\n" in body and "SENARAI EDARAN" in body
    edaran = body.split("SENARAI EDARAN", 1)[1]
    assert edaran.count("\nJabatan Peguam Negara\n") == 1  # the AGC once
    assert [int(n) for n in re.findall(r"\n(\d)\.\n", edaran)] == [1, 2, 3]  # KLN, AGC, PDRM
    assert "(i)\tKedutaan Besar Republik Korea di Kuala Lumpur" in body
    assert "Kementerian Luar Negeri juga dipohon untuk memanjangkan jemputan ini" in body


# ---------------------------------------------------------------- 7. wording


def test_attendance_is_stated_only_when_known(tmp_path: Path) -> None:
    case = rich_case("YA", values={k: v for k, v in KNOWN.items() if k != "kehadiran"})
    body = parts(render("makluman-keputusan", case, tmp_path))["body"]
    assert "dihadiri" not in body
    assert "telah diadakan pada 6 April 2026 (Isnin) di Bilik Mesyuarat Utama, Aras 7." in body


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2027-02-08", "2027-02-10", "telah diadakan dari 8 hingga 10 Februari 2027 di Seoul."),
        ("2027-01-30", "2027-02-02",
         "telah diadakan dari 30 Januari hingga 2 Februari 2027 di Seoul."),
        ("2026-12-30", "2027-01-02",
         "telah diadakan dari 30 Disember 2026 hingga 2 Januari 2027 di Seoul."),
        ("2027-02-08", "2027-02-08", "telah diadakan pada 8 Februari 2027 di Seoul."),
    ],
)
def test_the_negotiations_dates_read_as_a_span(start: str, end: str, words: str,
                                               tmp_path: Path) -> None:
    case = rich_case("YA", negotiation={"start": start, "end": end, "venue": "Seoul"})
    assert words in parts(render("serahan-dokumen", case, tmp_path))["body"]


def test_a_reason_with_line_breaks_is_paragraphs_numbered_on(tmp_path: Path) -> None:
    body = parts(render("makluman-keputusan", rich_case("TIDAK"), tmp_path))["body"]
    assert "3.\tTiada keperluan pada masa ini.\n4.\tKerjasama sedia ada mencukupi.\n" \
           "5.\tSehubungan itu" in body
    assert "\n" not in "".join(re.findall(r"\d\.\t[^\n]*", body))
    doc = Document(str(tmp_path / "makluman-keputusan.docx"))
    assert not doc.element.body.xpath(".//w:br")


def test_the_closing_keeps_with_the_last_paragraph(tmp_path: Path) -> None:
    """The last paragraph keeps with an unbreakable block holding the closing and the
    signature (LibreOffice honours one "keep with next" and a row that cannot split)."""
    for key, decision in PAIRS:
        to = "AGC" if key == "permohonan-ulasan" else None
        doc = Document(str(render(key, rich_case(decision), tmp_path / key, to=to)))
        body = list(doc.element.body.iterchildren())
        i = next(n for n, el in enumerate(body) if el.tag == qn("w:tbl") and
                 ("Sekian, terima kasih." in "".join(el.itertext()) or
                  "(PEGAWAI KKA 1)" in "".join(el.itertext())))
        table = body[i]
        assert table.xpath(".//w:trPr/w:cantSplit"), key
        last = body[i - 1]
        assert last.tag == qn("w:p") and last.xpath("./w:pPr/w:keepNext"), key
        assert "".join(last.itertext()).strip(), key  # a paragraph of the letter, not a gap


# ---------------------------------------------------------------- properties


def _parse_span(text: str) -> tuple[date, date]:
    """Read "8 hingga 10 Februari 2027" (and its longer forms) back into dates."""
    month = {m: i for i, m in enumerate(MONTHS, 1)}
    if " hingga " not in text:
        d, m, y = text.split()
        return (day := date(int(y), month[m], int(d))), day
    first, last = text.split(" hingga ")
    d2, m2, y2 = last.split()
    end = date(int(y2), month[m2], int(d2))
    bits = first.split()
    start = date(int(bits[2]) if len(bits) == 3 else end.year,
                 month[bits[1]] if len(bits) >= 2 else end.month, int(bits[0]))
    return start, end


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1957, 8, 31), max_value=date(2100, 12, 31)),
       st.integers(min_value=0, max_value=800))
def test_date_spans_read_back_and_say_each_part_once(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    text = malay_date_range(start, end)
    assert _parse_span(text) == (start, end)
    assert text.endswith(malay_date(end))
    if start == end:
        assert text == malay_date(start) and malay_period(start, end).startswith("pada ")
        return
    assert text.count(" hingga ") == 1 and malay_period(start, end) == f"dari {text}"
    if start.year == end.year:
        assert text.count(str(end.year)) == (1 if str(end.year) not in str(start.day) else 2)
        if start.month == end.month:
            assert text.startswith(f"{start.day} hingga ")
        else:
            assert text.startswith(f"{start.day} {MONTHS[start.month - 1]} hingga ")
    else:
        assert text.startswith(malay_date(start) + " hingga ")


_word = st.text(alphabet="abcdeghiklmnoprstuwyz&<>\"' ", min_size=3, max_size=20)


@st.composite
def values(draw: st.DrawFn) -> dict[str, str]:
    """A distinct marked value for each field an officer types."""
    marks = iter(range(100))

    def one() -> str:
        return f"Nilai{next(marks)}X {draw(_word).strip() or 'isi'}"

    return {
        "tempat": one(), "masa": one(), "hubungi": one(),
        "agenda": "; ".join(one().replace(";", ",") for _ in range(draw(st.integers(1, 3)))),
        "hasil_mesyuarat": "\n".join(one() + "." for _ in range(draw(st.integers(1, 3)))),
        "tujuan": one() + ".", "syor": "\n".join(one() + "." for _ in range(2)),
        "latar_belakang": one() + ".",
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(given_values=values())
def test_no_value_is_printed_twice(given_values: dict[str, str], tmp_path: Path) -> None:
    case = rich_case("YA", values={**KNOWN, "tempat": given_values["tempat"]})
    fields = {
        "jemputan-mesyuarat": ("tempat", "masa", "hubungi", "agenda"),
        "makluman-keputusan": ("tempat", "hasil_mesyuarat"),
        "memo-kln": ("hasil_mesyuarat",),
        "minit-cerai": ("tujuan", "syor", "latar_belakang"),
    }
    for key, names in fields.items():
        sets = dict(SETS.get(key, {}))
        sets.update({n: given_values[n] for n in names})
        body = parts(render(key, case, tmp_path, sets=sets))["body"]
        for n in names:
            for piece in re.split(r"\n|; ", given_values[n]):
                marker = piece.split()[0]  # "Nilai3X": the value's own mark
                assert body.count(marker + " ") == 1, (key, n, piece)


# ---------------------------------------------------------------- the pages as printed


@pytest.mark.slow
def test_pdf_pages_carry_the_marking_and_keep_the_closing_whole(tmp_path: Path) -> None:
    from pipeline.documents.pdf import to_pdf

    docs = []
    for n in range(4, 12):  # outcomes of many lengths: the page ends somewhere else each time
        outcome = "\n".join(f"Perkara {i} telah dipersetujui oleh semua agensi yang hadir dan "
                            "akan dilaksanakan mengikut jadual yang ditetapkan." for i in range(n))
        out = tmp_path / f"n{n}"
        docs.append(render("makluman-keputusan", rich_case("YA"), out,
                           sets={"hasil_mesyuarat": outcome}))
        (out / "makluman-keputusan.docx").rename(out / f"keputusan-{n}.docx")
        docs[-1] = out / f"keputusan-{n}.docx"
    for key, decision in PAIRS:
        to = "AGC" if key == "permohonan-ulasan" else None
        path = render(key, rich_case(decision), tmp_path / f"{key}-{decision}", to=to)
        docs.append(path.rename(path.with_name(f"{key}-{decision}.docx")))
    for pdf in to_pdf(docs, tmp_path / "pdf"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = [[x.strip() for x in page.splitlines() if x.strip()]
                 for page in text.split("\f") if page.strip()]
        for page in pages:
            assert page[0] == "SULIT" and page[-1] == "SULIT", (pdf.name, page[:2], page[-2:])
        first = "Sekian, terima kasih." if "minit-cerai" not in pdf.name else "(PEGAWAI KKA 1)"
        closing = next(p for p in pages if first in p)
        # below the page's marking and reference, some of the letter comes before the closing
        assert closing.index(first) >= 3, (pdf.name, closing[:4])
        assert any(line.startswith("(PEGAWAI") for line in closing), pdf.name  # signed there
