"""Letters from the Word templates: every document, YA and TIDAK, read back as a reader would."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from pipeline.documents import letterfields, letters, templatecheck
from pipeline.documents.pdf import to_pdf
from pipeline.errors import ConversionError, TemplateError
from pipeline.register import sop
from pipeline.settings import default_text, parse
from pipeline.vocab.malay import malay_date, malay_weekday
from tests.conftest import signed

TODAY = date(2026, 11, 27)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SETTINGS = parse(signed(default_text()))  # signatories named, Divisions' file refs filled
TITLE = "Kerjasama Pencegahan Pemerdagangan Orang"
FILE_REF = "KDN.AB.600-2/2026/0001"  # AB's: the case's file reference
DIVISION_REF = "KDN.KKA.100-1/2026/0001"  # the Division's, from [divisions.KKA] file_ref
DIVISION = "Bahagian Keselamatan dan Ketenteraman Awam"
SENDER_REF = {key: FILE_REF if step.actor == "AB" else DIVISION_REF
              for key, (step, _doc) in sop.DOCUMENTS.items()}

# What an officer gives with --set, per document.
SETS: dict[str, dict[str, str]] = {
    "permohonan-ulasan": {"lampiran": "draf MoU tersebut"},
    "minit-cerai": {
        "tujuan": "Memohon kelulusan untuk berunding.",
        "latar_belakang": "Kedutaan Republik Korea mencadangkan MoU ini.",
        "ulasan": "PDRM|2026-03-20|Menyokong cadangan; AGC|2026-03-22|Tiada halangan",
        "syor": "Bahagian ini mengesyorkan rundingan diadakan.",
    },
    "jemputan-mesyuarat": {
        "tarikh_mesyuarat": "2026-03-31",
        "masa": "10.00 pagi",
        "tempat": "Bilik Mesyuarat Utama",
        "agenda": "Ucapan alu-aluan; Taklimat draf MoU; Hal-hal lain",
        "bja": "PDRM; JIM",
    },
    "makluman-keputusan": {"hasil_mesyuarat": "Mesyuarat bersetuju dengan draf."},
}


def make_case(decision: str | None, **changes: Any) -> dict[str, Any]:
    """A case as the register gives it (ISO dates), decided `decision`."""
    ya = decision == "YA"
    dones = {1: "2026-03-18", 2: "2026-03-30", 3: "2026-04-02", 4: "2026-04-06", 5: "2026-04-08"}
    dones |= {6: "2026-04-10", 7: "2026-04-24"} if ya else {6: "2026-04-07"}
    steps = []
    for s in sop.STEPS:
        skipped = decision == "TIDAK" and not sop.applies(s, decision)
        done = dones.get(s.n) if decision or s.n < 3 else None
        steps.append(
            {
                "n": s.n,
                "name": s.name,
                "actor": s.actor,
                "due": None if skipped else f"2026-04-{s.n + 10:02d}",
                "done": None if skipped else done,
                "status": "skipped" if skipped else ("done" if done else "open"),
                "note": None,
            }
        )
    case = {
        "id": "IKA-2026-0001",
        "title": TITLE,
        "type": "mou",
        "level": "bilateral",
        "countries": ["KR"],
        "division": DIVISION,
        "status": "open",
        "current_step": 8 if ya else None,
        "received": "2026-03-16",
        "source": "embassy",
        "file_ref": FILE_REF,
        "their_ref": None,
        "decision": decision,
        "decision_date": "2026-04-02" if decision else None,
        "negotiation": {
            "start": "2026-04-22" if ya else None,
            "end": "2026-04-24" if ya else None,
            "venue": "Seoul" if ya else None,
        },
        "steps": steps,
        "target_date": "2026-04-23",
    }
    case.update(changes)
    return case


def texts(path: Path) -> Iterator[str]:
    """Every paragraph's text: body, tables (nested too), headers and footers of all pages."""
    doc = Document(str(path))
    roots = [doc.element.body]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    marks = {qn("w:tab"): "\t", qn("w:br"): "\n"}
    for root in roots:
        for p in root.iter(qn("w:p")):
            parts = p.iter(qn("w:t"), qn("w:tab"), qn("w:br"))
            yield "".join(marks.get(el.tag) or el.text or "" for el in parts)


def read(path: Path) -> str:
    return "\n".join(texts(path))


def make(
    doc_key: str,
    case: dict[str, Any],
    out: Path,
    *,
    to: str | None = None,
    sets: dict[str, str] | None = None,
    templates: Path = TEMPLATES,
) -> Path:
    ctx = letters.build_context(
        case,
        doc_key,
        SETTINGS,
        to_key=to,
        overrides=SETS.get(doc_key, {}) if sets is None else sets,
        today=TODAY,
    )
    return letters.render(doc_key, ctx, out / f"{doc_key}.docx", templates_dir=templates)


PAIRS = [
    (key, decision)
    for key, (step, _doc) in sop.DOCUMENTS.items()
    for decision in ("YA", "TIDAK")
    if sop.applies(step, decision)
]

ADDRESSEE = {
    "makluman-bahagian": ("Setiausaha Bahagian", DIVISION),
    "permohonan-ulasan": ("Peguam Negara Malaysia", "Jabatan Peguam Negara"),
    "minit-cerai": ("Ketua Setiausaha", "Kementerian Dalam Negeri"),
    "jemputan-mesyuarat": ("Seperti Senarai Edaran", "Kementerian Luar Negeri"),
    "makluman-keputusan": ("Setiausaha Bahagian", "Bahagian Antarabangsa"),
    "memo-kln": ("Ketua Setiausaha", "Kementerian Luar Negeri"),
    "serahan-dokumen": ("Setiausaha Bahagian", "Bahagian Antarabangsa"),
}


# ---------------------------------------------------------------- each document


@pytest.mark.parametrize(("doc_key", "decision"), PAIRS)
def test_each_document_reads_right(doc_key: str, decision: str, tmp_path: Path) -> None:
    to = "AGC" if doc_key == "permohonan-ulasan" else None
    text = read(make(doc_key, make_case(decision), tmp_path, to=to))
    assert TITLE.upper() in text  # the subject line
    assert "27 November 2026" in text  # Tarikh, the Malay way
    assert SENDER_REF[doc_key] in text  # the writer's own reference
    assert "Republik Korea" in text and "Korea Selatan" not in text  # the formal name
    assert "Memorandum Persefahaman" in text or "MEMORANDUM PERSEFAHAMAN" in text
    for part in ADDRESSEE[doc_key]:
        assert part in text
    # Ruj. Tuan: only AB's reference, on the Division's letters back to AB
    assert ("Ruj. Tuan\t: " + FILE_REF in text) == (ADDRESSEE[doc_key][1] ==
                                                     "Bahagian Antarabangsa")
    for bad in ("None", "{{", "{%", "}}", "%}", "&amp;", "NAMA PEGAWAI", "(YA)", "(TIDAK)"):
        assert bad not in text, bad
    if doc_key != "minit-cerai":  # letters: the official frame
        assert "KEMENTERIAN DALAM NEGERI" in text  # the letterhead, in the header
        assert "Tuan/Puan," in text
        assert "Dengan hormatnya saya merujuk perkara di atas" in text
        assert "Sekian, terima kasih." in text
        assert "MALAYSIA MADANI\nBERKHIDMAT UNTUK NEGARA" in text
        assert "Saya yang menjalankan amanah," in text
        signer = "AB" if SENDER_REF[doc_key] == FILE_REF else "KKA"
        assert f"(PEGAWAI {signer} 1)" in text


def test_letterhead_is_in_the_first_page_header(tmp_path: Path) -> None:
    doc = Document(str(make("memo-kln", make_case("YA"), tmp_path)))
    header = doc.sections[0].first_page_header
    words = "\n".join(p.text for p in header.paragraphs)
    cells = "\n".join(c.text for t in header.tables for row in t.rows for c in row.cells)
    assert "KEMENTERIAN DALAM NEGERI" in words
    assert "BAHAGIAN ANTARABANGSA" in words  # AB writes the memo
    assert "62546 PUTRAJAYA" in cells
    assert "ab@moha.gov.my" in cells


def test_division_letters_carry_the_divisions_name(tmp_path: Path) -> None:
    text = read(make("makluman-keputusan", make_case("YA"), tmp_path))
    assert DIVISION.upper() in text  # letterhead
    assert "ab@moha.gov.my" not in text  # AB's e-mail is not the Division's
    assert f"Setiausaha Bahagian\n{DIVISION}" in text  # the signatory's division


def test_memo_states_the_decision_in_words(tmp_path: Path) -> None:
    ya = read(make("memo-kln", make_case("YA"), tmp_path / "ya"))
    tidak = read(make("memo-kln", make_case("TIDAK"), tmp_path / "tidak"))
    assert "telah bersetuju untuk mengadakan rundingan" in ya and "tidak bersetuju" not in ya
    assert "telah memutuskan untuk tidak bersetuju dengan cadangan mengadakan" in tidak
    for text in (ya, tidak):
        assert "(YA)" not in text and "(TIDAK)" not in text  # no flowchart words
        assert "2 April 2026" in text  # the decision's date
        assert "Kedutaan Besar Republik Korea di Kuala Lumpur melalui Nota Diplomatik" in text
        assert "s.k.\tSetiausaha Bahagian, " + DIVISION in text
    assert "diadakan dari 22 hingga 24 April 2026 di Seoul" in ya


def test_minit_cerai_table_and_decision_block(tmp_path: Path) -> None:
    path = make("minit-cerai", make_case("YA"), tmp_path)
    doc = Document(str(path))
    text = read(path)
    assert "MINIT CERAI" in text
    for label in ("TUJUAN", "LATAR BELAKANG", "ULASAN YANG DITERIMA", "SYOR"):
        assert label in text
    comments = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in comments.rows]
    assert rows[0] == ["Bil.", "Daripada", "Tarikh", "Ringkasan ulasan"]
    assert rows[1] == ["1.", "Polis Diraja Malaysia (PDRM)", "20 Mac 2026", "Menyokong cadangan"]
    assert rows[2] == ["2.", "Jabatan Peguam Negara (AGC)", "22 Mac 2026", "Tiada halangan"]
    assert len(rows) == 3
    decision = next(t for t in doc.tables if "KEPUTUSAN" in t.rows[0].cells[0].text)
    decision = decision.rows[0].cells[0].text
    assert "KEPUTUSAN PENGURUSAN TINGGI" in decision
    assert "☒  Diluluskan\t☐  Tidak diluluskan" in decision
    for label in ("Tandatangan", "Nama", "Jawatan", "Tarikh\t: 2 April 2026"):
        assert label in decision


def test_minit_cerai_before_the_decision_has_empty_boxes(tmp_path: Path) -> None:
    tables = Document(str(make("minit-cerai", make_case(None), tmp_path))).tables
    decision = next(t for t in tables if "KEPUTUSAN" in t.rows[0].cells[0].text)
    text = decision.rows[0].cells[0].text
    assert "☐  Diluluskan\t☐  Tidak diluluskan" in text
    assert "☒" not in text


def test_invitation_lists_date_agenda_and_invitees(tmp_path: Path) -> None:
    text = read(make("jemputan-mesyuarat", make_case("YA"), tmp_path))
    assert "31 Mac 2026 (Selasa)" in text
    assert "(ii)\tTaklimat draf MoU" in text
    assert "Seperti Senarai Edaran" in text and "SENARAI EDARAN" in text
    edaran = text.split("SENARAI EDARAN", 1)[1]
    for invitee in ("Kementerian Luar Negeri", "Jabatan Peguam Negara", "Polis Diraja Malaysia",
                    "Jabatan Imigresen Malaysia"):
        assert edaran.count(f"\n{invitee}\n") == 1, invitee  # each once, with its address
    assert "(i)\tKedutaan Besar Republik Korea di Kuala Lumpur" in text  # not on the list
    assert "memanjangkan jemputan ini kepada Kedutaan Besar Republik Korea" in text


def test_their_reference_and_overrides(tmp_path: Path) -> None:
    case = make_case("YA", source="kln", their_ref="KLN/2026/17")
    sets = {
        "kepada.nama": "Timbalan Ketua Setiausaha",
        "sk": "",
        "tarikh": "2026-12-01",
        "perkara": "Nota ringkas",
    }
    text = read(make("memo-kln", case, tmp_path, sets=sets))
    assert "Ruj. Tuan\t: KLN/2026/17" in text
    assert "Timbalan Ketua Setiausaha" in text
    assert "1 Disember 2026" in text and "27 November 2026" not in text
    assert "NOTA RINGKAS" in text
    assert "s.k." not in text


def test_their_reference_only_goes_back_to_its_sender(tmp_path: Path) -> None:
    case = make_case("YA", their_ref="KOR/2026/17")  # the embassy's note
    for key, to in (("memo-kln", None), ("permohonan-ulasan", "AGC")):
        text = read(make(key, case, tmp_path / key, to=to))
        assert "Ruj. Tuan\t: KOR/2026/17" not in text  # not the addressee's reference
    memo = read(make("memo-kln", case, tmp_path / "again"))
    assert "sebagai maklum balas kepada Nota Diplomatik No. KOR/2026/17" in memo  # cited


def test_other_signatory_by_key(tmp_path: Path) -> None:
    text = read(make("memo-kln", make_case("YA"), tmp_path, sets={"signatory": "Division"}))
    assert f"(PEGAWAI KKA 1)\nSetiausaha Bahagian\n{DIVISION}" in text
    assert DIVISION.upper() in text and DIVISION_REF in text  # its letterhead and reference
    text = read(make("memo-kln", make_case("YA"), tmp_path / "p", sets={"signatory": "pdrm"}))
    assert "(PEGAWAI PDRM 1)\nKetua Polis Negara\nPolis Diraja Malaysia" in text


# ---------------------------------------------------------------- escaping and Unicode


def test_subject_names_every_party_once(tmp_path: Path) -> None:
    case = make_case("YA", countries=["ID", "TH", "PH"], level="multilateral")
    ctx = letters.build_context(case, "memo-kln", SETTINGS, today=TODAY)
    assert ctx["perkara"] == (
        "Rundingan Memorandum Persefahaman antara Kerajaan Malaysia, Kerajaan Republik "
        f"Indonesia, Kerajaan Thailand dan Kerajaan Republik Filipina mengenai {TITLE}"
    )
    regional = make_case("YA", countries=["ASEAN"], type="convention", level="regional")
    ctx = letters.build_context(regional, "memo-kln", SETTINGS, today=TODAY)
    assert ctx["perkara"] == f"Rundingan Konvensyen ASEAN mengenai {TITLE}"


def test_ampersand_brackets_quotes_and_unicode(tmp_path: Path) -> None:
    title = 'Kerjasama & Latihan <Keselamatan> "Sempadan" — Güvenlik ḥalāl 日本語'
    case = make_case("YA", title=title, countries=["TR", "SG"])
    sets = {"hasil_mesyuarat": 'Setuju "sebulat suara" & <segera>', "ruj_tuan": "A&B <1>"}
    path = make("makluman-keputusan", case, tmp_path, sets=sets)
    text = read(path)
    assert title in text
    assert title.upper() in text
    assert "Kerajaan Republik Türkiye dan Kerajaan Republik Singapura" in text
    assert ("Kedutaan Besar Republik Türkiye dan Suruhanjaya Tinggi Republik Singapura di "
            "Kuala Lumpur") in text
    assert 'Setuju "sebulat suara" & <segera>' in text
    assert "Ruj. Tuan\t: A&B <1>" in text
    assert "&amp;" not in text and "&lt;" not in text and "&#34;" not in text


def test_a_line_break_in_a_value_starts_a_new_paragraph(tmp_path: Path) -> None:
    sets = dict(SETS["minit-cerai"], latar_belakang="Baris satu.\nbaris dua")
    doc = Document(str(make("minit-cerai", make_case("YA"), tmp_path, sets=sets)))
    texts = [p.text for p in doc.paragraphs]
    assert "2.2\tBaris satu." in texts and "2.3\tBaris dua." in texts  # numbered on
    assert not any(p._p.xpath(".//w:br") for p in doc.paragraphs)  # no stretched line


# ---------------------------------------------------------------- missing fields


def test_missing_fields_are_all_named_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as err:
        make("minit-cerai", make_case("YA"), tmp_path, sets={"tujuan": "Ada."})
    message = str(err.value)
    assert message.startswith("minit-cerai: missing fields ")
    for name in ("latar_belakang", "ulasan", "syor"):
        assert name in message
        assert f"--set {name}=..." in message
    assert "tujuan" not in message
    assert not (tmp_path / "minit-cerai.docx").exists()


def test_missing_decision_points_to_case_decide(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as err:
        make("makluman-keputusan", make_case(None), tmp_path)
    message = str(err.value)
    assert "keputusan" in message and "tarikh_keputusan" in message
    assert "ika case decide" in message


def test_yes_only_field_is_required_only_on_yes(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"missing field hasil_mesyuarat — give it with"):
        make("makluman-keputusan", make_case("YA"), tmp_path, sets={})
    make("makluman-keputusan", make_case("TIDAK"), tmp_path, sets={})


def test_missing_nested_value_is_named_in_full(tmp_path: Path) -> None:
    raw = signed(default_text()).replace(
        'name = "Ketua Setiausaha"\norganisation = "Kementerian Luar',
        ('organisation = "Kementerian Luar'),
    )
    settings = parse(raw)
    ctx = letters.build_context(make_case("YA"), "memo-kln", settings, overrides={}, today=TODAY)
    with pytest.raises(TemplateError, match=r"missing field kepada\.nama .*--set kepada\.nama="):
        letters.render("memo-kln", ctx, tmp_path / "x.docx")


def test_missing_negotiation_dates(tmp_path: Path) -> None:
    case = make_case("YA", negotiation={"start": None, "end": None, "venue": None})
    with pytest.raises(TemplateError) as err:
        make("serahan-dokumen", case, tmp_path)
    for name in ("rundingan.mula", "rundingan.tamat", "rundingan.tempat"):
        assert f"--set {name}=..." in str(err.value)
    assert "ika case schedule" in str(err.value)


# ---------------------------------------------------------------- context errors


def test_request_for_comments_needs_an_addressee() -> None:
    with pytest.raises(TemplateError, match=r"--to KEY.*AGC"):
        letters.build_context(make_case(None), "permohonan-ulasan", SETTINGS, today=TODAY)
    with pytest.raises(TemplateError, match=r"no addressee 'NOPE'"):
        letters.build_context(
            make_case(None), "permohonan-ulasan", SETTINGS, to_key="NOPE", today=TODAY
        )
    ctx = letters.build_context(
        make_case(None), "permohonan-ulasan", SETTINGS, to_key="puu-kdn", today=TODAY
    )
    assert ctx["kepada"]["nama"] == "Penasihat Undang-Undang"


def test_yes_only_document_refused_for_a_rejected_case() -> None:
    with pytest.raises(TemplateError, match=r"step 4 .*TIDAK"):
        letters.build_context(make_case("TIDAK"), "jemputan-mesyuarat", SETTINGS, today=TODAY)


@pytest.mark.parametrize(
    ("key", "value", "pattern"),
    [
        ("ulasan", "PDRM sokong", r"not DARIPADA\|YYYY-MM-DD\|RINGKASAN"),
        ("ulasan", "PDRM|20/3/2026|Sokong", r"not a date \(use YYYY-MM-DD\)"),
        ("tarikh", "esok", r"--set tarikh='esok' is not a date"),
        ("bad key!", "x", r"a field name is"),
    ],
)
def test_bad_set_values(key: str, value: str, pattern: str) -> None:
    with pytest.raises(TemplateError, match=pattern):
        letters.build_context(
            make_case("YA"), "minit-cerai", SETTINGS, overrides={key: value}, today=TODAY
        )


def test_list_values_split_on_semicolons_with_escape() -> None:
    ctx = letters.build_context(
        make_case("YA"),
        "jemputan-mesyuarat",
        SETTINGS,
        overrides={"agenda": r"Satu; Dua\; dan tiga;  ; Empat"},
        today=TODAY,
    )
    assert ctx["agenda"] == ["Satu", "Dua; dan tiga", "Empat"]


def test_fields_describe_each_document() -> None:
    required = {f.name for f in letterfields.fields("minit-cerai") if f.required}
    assert required == {"tujuan", "latar_belakang", "ulasan", "syor"}
    names = [f.name for f in letterfields.fields("jemputan-mesyuarat")]
    assert names[:4] == ["tarikh_mesyuarat", "masa", "tempat", "agenda"]
    assert "signatory" in names and "sk" in names
    with pytest.raises(TemplateError, match="no document"):
        letterfields.fields("surat-cinta")


# ---------------------------------------------------------------- broken templates


def broken_copy(tmp_path: Path, doc_key: str, old: str, new: str) -> Path:
    """Copy a template and change the first run whose text is `old`, as a Word edit would."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    doc = Document(str(TEMPLATES / f"{doc_key}.docx"))
    for p in doc.element.body.iter(qn("w:p")):
        for t in p.iter(qn("w:t")):
            if t.text == old:
                t.text = new
                doc.save(str(folder / f"{doc_key}.docx"))
                return folder
    raise AssertionError(f"{old!r} not in {doc_key}.docx")


def test_unclosed_block_names_template_and_tag(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "memo-kln", "{%p endif %}", "")
    with pytest.raises(TemplateError) as err:
        make("memo-kln", make_case("YA"), tmp_path, templates=folder)
    assert "memo-kln.docx" in str(err.value)
    assert "'{%p if ruj_tuan %}'" in str(err.value)
    assert "never closed" in str(err.value)


def test_misspelt_end_tag_names_template_and_tag(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "minit-cerai", "{%tr endfor %}", "{%tr endfro %}")
    with pytest.raises(TemplateError) as err:
        make("minit-cerai", make_case("YA"), tmp_path, templates=folder)
    assert "minit-cerai.docx" in str(err.value)
    assert "{%tr endfro %}" in str(err.value)


def test_tag_broken_across_runs_names_template_and_tag(tmp_path: Path) -> None:
    """Word keeps '{{ ruj_kami' in one run and '}' in the next after a half-retyped edit."""
    folder = tmp_path / "templates"
    folder.mkdir()
    doc = Document(str(TEMPLATES / "minit-cerai.docx"))
    para = next(p for p in doc.paragraphs if "{{ ruj_kami }}" in p.text)
    run = next(r for r in para.runs if r.text == "{{ ruj_kami }}")
    run.text = "{{ ruj_kami "
    closing = para.add_run("}")  # the second brace lost, the first in a run of its own
    closing.bold = True
    run._r.addnext(closing._r)
    doc.save(str(folder / "minit-cerai.docx"))
    with pytest.raises(TemplateError) as err:
        make("minit-cerai", make_case("YA"), tmp_path, templates=folder)
    assert "minit-cerai.docx" in str(err.value)
    assert "{{ ruj_kami }" in str(err.value)


def test_tag_split_by_word_into_runs_still_renders(tmp_path: Path) -> None:
    """docxtpl mends a whole tag that Word merely split into runs: no false alarm."""
    folder = tmp_path / "templates"
    folder.mkdir()
    doc = Document(str(TEMPLATES / "minit-cerai.docx"))
    para = next(p for p in doc.paragraphs if "{{ ruj_kami }}" in p.text)
    run = next(r for r in para.runs if r.text == "{{ ruj_kami }}")
    run.text = "{{ ruj_k"
    tail = para.add_run("ami }}")
    tail.italic = True  # Word splits runs where formatting changes
    run._r.addnext(tail._r)
    doc.save(str(folder / "minit-cerai.docx"))
    text = read(make("minit-cerai", make_case("YA"), tmp_path, templates=folder))
    assert f"Ruj.\t:\t{DIVISION_REF}" in text


def test_text_beside_a_paragraph_tag_is_refused(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "memo-kln", "{%p else %}", "{%p else %} Tambahan")
    with pytest.raises(TemplateError, match=r"memo-kln\.docx: the text 'Tambahan' beside"):
        make("memo-kln", make_case("YA"), tmp_path, templates=folder)


def test_misspelt_field_is_a_missing_field(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "memo-kln", "{{ kedutaan }}", "{{ kedutan }}")
    with pytest.raises(TemplateError, match=r"missing field kedutan .*check the spelling"):
        make("memo-kln", make_case("YA"), tmp_path, templates=folder)


def test_missing_and_damaged_template_files(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"template not found: .*memo-kln\.docx"):
        make("memo-kln", make_case("YA"), tmp_path, templates=tmp_path)
    (tmp_path / "memo-kln.docx").write_text("not a zip")
    with pytest.raises(TemplateError, match=r"memo-kln\.docx: not a readable Word document"):
        make("memo-kln", make_case("YA"), tmp_path, templates=tmp_path)


# ---------------------------------------------------------------- check, summary


def test_check_templates_passes_on_the_shipped_templates() -> None:
    assert templatecheck.check_templates(TEMPLATES, TODAY) == []


def test_check_templates_reports_a_broken_and_a_missing_template(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "memo-kln", "{%p endif %}", "{%p endiff %}")
    for path in TEMPLATES.iterdir():
        if path.suffix in (".docx", ".j2") and path.name not in (
            "memo-kln.docx",
            "minit-cerai.docx",
        ):
            shutil.copy(path, folder / path.name)
    problems = templatecheck.check_templates(folder, TODAY)
    assert any(p.startswith("memo-kln.docx") and "endiff" in p for p in problems), problems
    assert any("minit-cerai.docx: missing" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_case_summary_html(tmp_path: Path) -> None:
    case = make_case(None, title="Latihan & <Ujian>", current_step=3)
    case["steps"][2]["status"] = "overdue"
    case["steps"][2]["due"] = "2026-11-20"
    case["history"] = [
        {"at": "2026-03-18 09:12:00", "by": "aminah", "action": "done 1", "note": "A & B"}
    ]
    html = letters.render_summary_html(letters.summary_context(case, SETTINGS, TODAY))
    assert "Latihan &amp; &lt;Ujian&gt;" in html and "<Ujian>" not in html
    assert "Lewat 7 hari" in html
    assert 'class="overdue current"' in html
    assert "Belum diputuskan" in html
    assert "5 minggu" in html and "23 April 2026" in html
    assert "<td>2026-03-18 09:12</td><td>aminah</td><td>done 1</td><td>A &amp; B</td>" in html
    rejected = letters.render_summary_html(
        letters.build_context(make_case("TIDAK"), "case-summary", SETTINGS, today=TODAY)
    )
    assert rejected.count('class="skipped"') == 4
    assert "Dilangkau (TIDAK)" in rejected


# ---------------------------------------------------------------- Malay dates


def test_malay_dates() -> None:
    assert malay_date(date(2026, 11, 27)) == "27 November 2026"
    assert malay_date(date(2026, 3, 1)) == "1 Mac 2026"
    assert malay_date(date(2026, 8, 9)) == "9 Ogos 2026"
    assert malay_weekday(date(2026, 11, 27)) == "Jumaat"
    assert malay_weekday(date(2026, 11, 29)) == "Ahad"


# ---------------------------------------------------------------- PDF


@pytest.mark.slow
def test_pdf_for_three_documents_in_one_call(tmp_path: Path) -> None:
    docs = [
        make(
            key,
            make_case("YA"),
            tmp_path / "docx",
            to="AGC" if key == "permohonan-ulasan" else None,
        )
        for key in ("memo-kln", "minit-cerai", "permohonan-ulasan")
    ]
    pdfs = to_pdf(docs, tmp_path / "pdf")
    assert [p.name for p in pdfs] == ["memo-kln.pdf", "minit-cerai.pdf", "permohonan-ulasan.pdf"]
    for pdf in pdfs:
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        flat = " ".join(text.split())
        assert "27 November 2026" in flat
        assert "Republik Korea" in flat
        assert SENDER_REF[pdf.stem] in flat
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == [p.name for p in pdfs]


def test_no_libreoffice_is_a_conversion_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docx = make("memo-kln", make_case("YA"), tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ConversionError, match=r"soffice not found.*libreoffice-writer-nogui"):
        to_pdf([docx], tmp_path / "pdf")


def test_conversion_refuses_missing_inputs_and_clashing_names(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="no such file"):
        to_pdf([tmp_path / "nope.docx"], tmp_path)
    a = make("memo-kln", make_case("YA"), tmp_path / "a")
    b = make("memo-kln", make_case("TIDAK"), tmp_path / "b")
    with pytest.raises(ConversionError, match=r"would both become memo-kln\.pdf"):
        to_pdf([a, b], tmp_path / "pdf")
    assert to_pdf([], tmp_path) == []
