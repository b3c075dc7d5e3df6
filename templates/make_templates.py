"""Write the Word templates of the SOP's documents (run once; users then edit the .docx in Word).

    python templates/make_templates.py [OUT_DIR]

Every Jinja tag is written as ONE run, so the only split tags are the ones Word makes later.
The layout follows Malaysian government letters: letterhead, Ruj./Tarikh block on the right,
the addressee, "Tuan/Puan,", the subject in bold capitals, numbered paragraphs, the slogans,
"Saya yang menjalankan amanah,", the signatory, and the s.k. list. Arial 11 on A4.
Once users have edited a template, do not run this again over it: it would undo their edits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

FONT = "Arial"
SIZE = 11
TEXT_WIDTH = Cm(16)  # A4 less 2.5 cm margins
NUM_TAB = Cm(1.27)  # "2.<tab>text"
REF_LABEL = Cm(8.6)  # the Ruj./Tarikh block sits on the right: labels here,
REF_VALUE = Cm(10.9)  # values here (wrapped lines too)

Run = str | tuple[str, dict[str, object]]  # text, or (text, {"bold": True, "size": 9, ...})
Container = object  # a Document, a header or a table cell: anything with add_paragraph()

# ---------------------------------------------------------------- building blocks


def new_document(title: str) -> Document:
    """A4, 2.5 cm margins, Arial 11 everywhere (East Asian and complex scripts too)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZE)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.widow_control = True  # no paragraph leaves one line alone at a page's top or foot
    props = doc.core_properties
    props.title = title
    props.author = "IKA Records"
    props.subject = props.comments = props.keywords = ""
    return doc


def para(
    where: Container,
    *runs: Run,
    align: str = "left",
    bold: bool = False,
    size: float | None = None,
    left: Cm | None = None,
    first: Cm | None = None,
    tabs: Sequence[Cm] = (),
    after: float = 0,
    keep: bool = False,
    dots: Cm | None = None,
) -> Paragraph:
    """One paragraph; each item of `runs` becomes one run (a Jinja tag is never split)."""
    p = where.add_paragraph()  # type: ignore[attr-defined]
    fmt = p.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if left is not None:
        fmt.left_indent = left
    if first is not None:
        fmt.first_line_indent = first
    for stop in tabs:
        fmt.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.LEFT)
    if dots is not None:  # a dotted line to fill in by hand, up to `dots`
        fmt.tab_stops.add_tab_stop(dots, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep
    for item in runs:
        text, style = (item, {}) if isinstance(item, str) else item
        run = p.add_run(text)
        run.bold = bool(style.get("bold", bold)) or None
        if style.get("italic"):
            run.italic = True
        if style.get("font"):
            run.font.name = str(style["font"])
        if style.get("size") or size:
            run.font.size = Pt(float(style.get("size") or size))  # type: ignore[arg-type]
    return p


def tag(where: Container, text: str) -> Paragraph:
    """A paragraph holding only a `{%p ... %}` tag: docxtpl removes the whole paragraph."""
    return para(where, text)


def blank(where: Container, n: int = 1) -> None:
    for _ in range(n):
        para(where)


def rule(p: Paragraph, edge: str = "bottom", size: int = 12) -> None:
    """A horizontal line under (or over) a paragraph: the letterhead's rule."""
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), "000000")
    borders.append(line)
    ppr.append(borders)


def first_paragraph(where: _Cell | object) -> Paragraph:
    """A cell or header starts with one empty paragraph; reuse it instead of leaving a gap."""
    return where.paragraphs[0]  # type: ignore[attr-defined]


def drop_first_paragraph(where: object) -> None:
    p = where.paragraphs[0]  # type: ignore[attr-defined]
    p._p.getparent().remove(p._p)


def no_borders(table: object) -> None:
    tblpr = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def cell_margins(table: object, left_cm: float = 0.0) -> None:
    """Zero side padding so a borderless table lines up with the text margin."""
    tblpr = table._tbl.tblPr  # type: ignore[attr-defined]
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(left_cm * 567)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def widths(table: object, cms: Sequence[float]) -> None:
    table.autofit = False  # type: ignore[attr-defined]
    for row in table.rows:  # type: ignore[attr-defined]
        for cell, w in zip(row.cells, cms, strict=True):
            cell.width = Cm(w)
    grid = table._tbl.tblGrid  # type: ignore[attr-defined]
    for col, w in zip(grid.findall(qn("w:gridCol")), cms, strict=True):
        col.set(qn("w:w"), str(int(w * 567)))


def no_split(row: object) -> None:
    """Keep a table row on one page (the decision box must not break in two)."""
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def shade(cell: _Cell, fill: str = "D9D9D9") -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def page_number(p: Paragraph) -> None:
    """A PAGE field, so page 2 onwards is numbered as government letters are."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    p._p.append(fld)


def numbered(where: Container, number: str, *runs: Run, after: float = 12,
             keep: bool = False) -> Paragraph:
    """'2.<tab>text…' justified, wrapped lines back to the margin, as KDN letters are typed.
    `number` may be a Jinja expression ("{{ loop.index + 3 }}.") where paragraphs before it
    come from a value with several paragraphs. keep=True on the last paragraph of a letter:
    the closing never stands alone at the top of a page."""
    return para(where, f"{number}\t", *runs, align="justify", tabs=[NUM_TAB], after=after,
                keep=keep)


def numbered_each(where: Container, loop: str, number: str, value: str,
                  after: float = 12) -> None:
    """One numbered paragraph per paragraph of a value (a line break in it starts a new one),
    so no justified line is stretched by a line break."""
    tag(where, f"{{%p for {loop} %}}")
    numbered(where, number, value, after=after)
    tag(where, "{%p endfor %}")


# ---------------------------------------------------------------- the letter's frame


def marking(where: Container, first: bool = True) -> None:
    """The security marking (TERHAD, SULIT ...), bold and centred, when the document has one."""
    if first:
        first_paragraph(where).add_run("{%p if keselamatan %}")
    else:
        tag(where, "{%p if keselamatan %}")
    para(where, ("{{ keselamatan }}", {"bold": True, "size": 12}), align="center", after=4)
    tag(where, "{%p endif %}")


def footers(doc: Document) -> None:
    """The marking at the foot of every page (first page too); an empty line otherwise."""
    section = doc.sections[0]
    for footer in (section.first_page_footer, section.footer):
        marking(footer)
        para(footer, ("", {"size": 2}))


def later_pages_header(doc: Document, label: str = "Ruj. Kami") -> None:
    """Pages 2 onwards: the marking, then the reference on the left and the page number on
    the right, as government letters continue."""
    section = doc.sections[0]
    head = section.header
    marking(head)
    p = para(head, (f"{label}: ", {"size": 9}), ("{{ ruj_kami }}", {"size": 9}), "\t",
             after=12)
    p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    page_number(p)


def letterhead(doc: Document) -> None:
    """First-page header: the marking, the crest, the Ministry in Malay with its English
    name beneath, the writer's Division, its address and contacts, a rule."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    head = section.first_page_header
    marking(head)
    tag(head, "{%p if kepala.jata %}")
    para(head, "{{ kepala.jata }}", align="center", after=2)
    tag(head, "{%p endif %}")
    para(head, ("{{ kepala.nama|upper }}", {"bold": True, "size": 14}), align="center")
    tag(head, "{%p if kepala.nama_en %}")
    para(head, ("{{ kepala.nama_en|upper }}", {"size": 9}), align="center")
    tag(head, "{%p endif %}")
    tag(head, "{%p if kepala.bahagian %}")
    para(head, ("{{ kepala.bahagian|upper }}", {"bold": True, "size": 11}), align="center",
         after=4)
    tag(head, "{%p endif %}")
    table = head.add_table(rows=1, cols=2, width=TEXT_WIDTH)
    no_borders(table)
    cell_margins(table)
    widths(table, [9.5, 6.5])
    left, right = table.rows[0].cells
    tag_p = first_paragraph(left)
    tag_p.add_run("{%p for baris in kepala.alamat %}")
    para(left, ("{{ baris }}", {"size": 9}))
    para(left, "{%p endfor %}")
    contact = [
        ("telefon", "Tel"),
        ("faks", "Faks"),
        ("emel", "E-mel"),
        ("laman_web", "Laman Web"),
    ]
    first = True
    for key, label in contact:
        if first:
            first_paragraph(right).add_run(f"{{%p if kepala.{key} %}}")
            first = False
        else:
            para(right, f"{{%p if kepala.{key} %}}")
        para(
            right,
            (f"{label}\t: ", {"size": 9}),
            (f"{{{{ kepala.{key} }}}}", {"size": 9}),
            tabs=[Cm(2.0)],
            left=Cm(2.3),
            first=Cm(-2.3),
        )
        para(right, "{%p endif %}")
    line = para(head, ("", {"size": 4}))
    rule(line, size=12)
    later_pages_header(doc)
    footers(doc)


def reference_block(doc: Document, *, their: bool = True) -> None:
    """'Ruj. Kami : …', 'Ruj. Tuan : …' (only when known) and 'Tarikh : …', on the right."""
    kw = {"left": REF_VALUE, "first": REF_LABEL - REF_VALUE, "tabs": [REF_VALUE - Cm(0.3)]}
    para(doc, "Ruj. Kami\t: ", "{{ ruj_kami }}", **kw)  # type: ignore[arg-type]
    if their:
        tag(doc, "{%p if ruj_tuan %}")
        para(doc, "Ruj. Tuan\t: ", "{{ ruj_tuan }}", **kw)  # type: ignore[arg-type]
        tag(doc, "{%p endif %}")
    para(doc, "Tarikh\t: ", "{{ tarikh }}", after=12, **kw)  # type: ignore[arg-type]


def addressee(doc: Document, *, distribution: bool = False) -> None:
    if distribution:  # one letter to many: "Seperti Senarai Edaran", the list at the end
        tag(doc, "{%p if kepada.edaran %}")
        para(doc, "Seperti Senarai Edaran")
        tag(doc, "{%p else %}")
    para(doc, "{{ kepada.nama }}")
    para(doc, "{{ kepada.organisasi }}")
    tag(doc, "{%p for baris in kepada.alamat %}")
    para(doc, "{{ baris }}")
    tag(doc, "{%p endfor %}")
    if distribution:
        tag(doc, "{%p endif %}")
    blank(doc)
    para(doc, "{{ kepada.salam }}", after=12)


def subject(doc: Document) -> None:
    # Left-aligned: justifying a long bold line in capitals stretches its spaces unevenly.
    para(doc, ("{{ perkara|upper }}", {"bold": True}), after=12, keep=True)


def opening(doc: Document) -> None:
    """The first paragraph, citing the addressee's own letter when the case knows it."""
    para(
        doc,
        "Dengan hormatnya saya merujuk perkara di atas",
        "{% if surat_tuan %} dan {{ surat_tuan }}{% endif %}",
        ".",
        align="justify",
        after=12,
    )


def unbreakable(doc: Document, cms: Sequence[float] = (16.0,)) -> object:
    """A borderless table of one row that never splits across pages: what must stay together
    (the closing and signature, an entry of the distribution list) sits in it. Word and
    LibreOffice both honour a row that cannot split, and the paragraph before it (keep=True)
    moves with it, where a long chain of "keep with next" paragraphs is not honoured by
    LibreOffice."""
    table = doc.add_table(rows=1, cols=len(cms))
    no_borders(table)
    cell_margins(table)
    widths(table, cms)
    no_split(table.rows[0])
    return table


def closing(doc: Document) -> None:
    """'Sekian, terima kasih.', the slogans in bold capitals, the signatory, then s.k. The
    closing and the signature are one unbreakable block, and the letter's last paragraph
    (keep=True in its body) keeps with it: the closing never stands alone on a page."""
    cell = unbreakable(doc).rows[0].cells[0]  # type: ignore[attr-defined]
    p = first_paragraph(cell)
    p.add_run("Sekian, terima kasih.")
    p.paragraph_format.space_after = Pt(12)
    tag(cell, "{%p for s in slogan %}")
    para(cell, ("{{ s|upper }}", {"bold": True}))
    tag(cell, "{%p endfor %}")
    para(cell)
    para(cell, "Saya yang menjalankan amanah,")
    for _ in range(4):
        para(cell)  # room for the signature
    signature(cell)
    copies(doc)


def signature(where: Container) -> None:
    para(where, ("({{ penandatangan.nama|upper }})", {"bold": True}))
    para(where, "{{ penandatangan.jawatan }}")
    tag(where, "{%p if penandatangan.bahagian %}")
    para(where, "{{ penandatangan.bahagian }}")
    tag(where, "{%p endif %}")
    tag(where, "{%p if penandatangan.bp %}")
    para(where, "b.p. {{ penandatangan.bp }}")
    tag(where, "{%p endif %}")
    para(where, "{{ penandatangan.organisasi }}")


def copies(doc: Document) -> None:
    tag(doc, "{%p if sk %}")
    blank(doc)
    tag(doc, "{%p for s in sk %}")
    para(
        doc,
        ("{% if loop.first %}s.k.{% endif %}", {"size": 10}),
        ("\t", {"size": 10}),
        ("{{ s }}", {"size": 10}),
        tabs=[Cm(1.27)],
        left=Cm(1.27),
        first=Cm(-1.27),
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def distribution_list(doc: Document) -> None:
    """SENARAI EDARAN: every addressee of the one letter with its address, one unbreakable
    row each."""
    tag(doc, "{%p if edaran %}")
    blank(doc)
    para(doc, ("SENARAI EDARAN", {"bold": True}), after=6, keep=True)
    table = unbreakable(doc, (1.27, 14.73))
    table.add_row()  # type: ignore[attr-defined]
    table.add_row()  # type: ignore[attr-defined]
    no_split(table.rows[1])  # type: ignore[attr-defined]
    first_paragraph(table.rows[0].cells[0]).add_run("{%tr for e in edaran %}")  # type: ignore[attr-defined]
    number, lines = table.rows[1].cells  # type: ignore[attr-defined]
    first_paragraph(number).add_run("{{ loop.index }}.")
    first_paragraph(lines).add_run("{{ e.nama }}")
    para(lines, "{{ e.organisasi }}")
    tag(lines, "{%p for baris in e.alamat %}")
    para(lines, "{{ baris }}")
    tag(lines, "{%p endfor %}")
    para(lines, after=4)
    first_paragraph(table.rows[2].cells[0]).add_run("{%tr endfor %}")  # type: ignore[attr-defined]
    tag(doc, "{%p endif %}")


def slim(doc: Document) -> None:
    """Keep only what the letter uses. python-docx's blank document carries 800 kB of styles
    (styles.xml, stylesWithEffects.xml, every latent style), a thumbnail and customXml; each
    letter would parse, write and compress them again: the styles the document names (and
    those they build on) are kept, the rest goes."""
    drop = ("/stylesWithEffects", "/customXml", "/metadata/thumbnail")
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(drop):
                del rels[rid]
                rels._target_parts_by_rId.pop(rid, None)  # python-docx keeps it beside
    styles = doc.styles.element
    roots = [doc.element]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer,
                     section.first_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    wanted = {el.get(qn("w:val")) for root in roots
              for el in root.iter(qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))}
    by_id = {st.get(qn("w:styleId")): st for st in styles.findall(qn("w:style"))}
    wanted |= {sid for sid, st in by_id.items() if st.get(qn("w:default")) in ("1", "true")}
    todo = list(wanted)
    while todo:  # what the kept styles build on
        st = by_id.get(todo.pop())
        if st is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            el = st.find(qn(tag))
            if el is not None and el.get(qn("w:val")) not in wanted:
                wanted.add(el.get(qn("w:val")))
                todo.append(el.get(qn("w:val")))
    for sid, st in by_id.items():
        if sid not in wanted:
            styles.remove(st)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def letter(key: str, title: str, body: Callable[[Document], None], out: Path,
           *, distribution: bool = False) -> Path:
    doc = new_document(title)
    letterhead(doc)
    reference_block(doc)
    addressee(doc, distribution=distribution)
    subject(doc)
    opening(doc)
    body(doc)
    closing(doc)
    if distribution:
        distribution_list(doc)
    slim(doc)
    path = out / f"{key}.docx"
    doc.save(str(path))
    return path


def detail(doc: Document, label: str, value: str) -> None:
    """'Tarikh : …' lines of a meeting, indented under the paragraph's text."""
    para(
        doc,
        f"{label}\t: ",
        value,
        left=NUM_TAB + Cm(2.6),
        first=Cm(-2.6),
        tabs=[NUM_TAB + Cm(2.2)],
    )


def items(doc: Document, loop: str, value: str) -> None:
    """(i), (ii), (iii) sub-items under a numbered paragraph."""
    tag(doc, f"{{%p for {loop} %}}")
    para(
        doc,
        "({{ loop.index|roman }})",
        "\t",
        value,
        left=NUM_TAB + Cm(1.0),
        first=Cm(-1.0),
        tabs=[NUM_TAB + Cm(1.0)],
        align="justify",
    )
    tag(doc, "{%p endfor %}")


# ---------------------------------------------------------------- the letters


def makluman_bahagian(doc: Document) -> None:
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa Bahagian ini telah menerima ",
        "{{ kes.permintaan }}",
        " pada ",
        "{{ kes.diterima }}",
        " berhubung cadangan untuk mengadakan rundingan ",
        "{{ kes.perihal }}",
        " di peringkat ",
        "{{ kes.peringkat }}",
        ".",
    )
    numbered(
        doc,
        "3.",
        "Sehubungan itu, pihak tuan/puan dipohon untuk mengambil tindakan selanjutnya selaras "
        "dengan Prosedur Operasi Standard (SOP) Rundingan Instrumen Kerjasama Antarabangsa (IKA), "
        "iaitu mendapatkan ulasan/input daripada Bahagian/Jabatan/Agensi (BJA) di bawah seliaan "
        "pihak tuan/puan, Penasihat Undang-Undang KDN, Penasihat Undang-Undang Jabatan dan "
        "Jabatan Peguam Negara, dan seterusnya mengangkat Minit Cerai kepada Pengurusan Tinggi "
        "KDN untuk keputusan.",
    )
    numbered(
        doc,
        "4.",
        "Ulasan/input tersebut hendaklah diperoleh selewat-lewatnya pada ",
        ("{{ tarikh_akhir_ulasan }}", {"bold": True}),
        ". Kerjasama dan perhatian pihak tuan/puan dalam perkara ini amatlah dihargai.",
        keep=True,
    )


def permohonan_ulasan(doc: Document) -> None:
    numbered(
        doc,
        "2.",
        "Untuk makluman, Kementerian Dalam Negeri (KDN) telah menerima ",
        "{{ kes.permintaan }}",
        " berhubung cadangan untuk mengadakan rundingan ",
        "{{ kes.perihal }}",
        ".",
    )
    numbered(
        doc,
        "3.",
        "Sehubungan itu, pihak tuan/puan dipohon untuk mengemukakan ulasan/input terhadap "
        "cadangan tersebut kepada Bahagian ini selewat-lewatnya pada ",
        ("{{ tarikh_akhir }}", {"bold": True}),
        " bagi membolehkan Bahagian ini mengangkat Minit Cerai kepada Pengurusan Tinggi KDN "
        "untuk pertimbangan.",
        "{% if lampiran %} Bersama-sama ini disertakan {{ lampiran }} untuk rujukan pihak "
        "tuan/puan.{% endif %}",
    )
    numbered(doc, "4.", "Kerjasama daripada pihak tuan/puan amatlah dihargai.", keep=True)


def jemputan_mesyuarat(doc: Document) -> None:
    numbered(
        doc,
        "2.",
        "Sukacita dimaklumkan bahawa Pengurusan Tinggi Kementerian Dalam Negeri (KDN) pada ",
        "{{ tarikh_keputusan }}",
        " telah bersetuju untuk mengadakan rundingan ",
        "{{ kes.perihal }}",
        ". Sehubungan itu, Bahagian ini akan mengadakan Mesyuarat Persediaan Rundingan seperti "
        "butiran berikut:",
        after=6,
    )
    detail(doc, "Tarikh", "{{ tarikh_mesyuarat }}")
    detail(doc, "Masa", "{{ masa }}")
    para(
        doc,
        "Tempat\t: ",
        "{{ tempat }}",
        left=NUM_TAB + Cm(2.6),
        first=Cm(-2.6),
        tabs=[NUM_TAB + Cm(2.2)],
        after=12,
    )
    numbered(doc, "3.", "Agenda mesyuarat adalah seperti yang berikut:", after=6, keep=True)
    items(doc, "a in agenda", "{{ a }}")
    blank(doc)
    # Those invited besides the addressee: never the addressee, never one twice.
    tag(doc, "{%p if turut %}")
    numbered(doc, "4.", "Mesyuarat ini akan turut dihadiri oleh wakil daripada:", after=6,
             keep=True)
    items(doc, "j in turut", "{{ j }}")
    blank(doc)
    tag(doc, "{%p endif %}")
    numbered(
        doc,
        "{{ 5 if turut else 4 }}.",
        "Sehubungan itu, pihak tuan/puan dijemput hadir atau menamakan wakil ke mesyuarat "
        "tersebut.",
        "{% if jemputan_kedutaan %} {{ jemputan_kedutaan }}{% endif %}",
        "{% if hubungi %} Pengesahan kehadiran boleh dimaklumkan kepada {{ hubungi }}.{% endif %}",
        " Kerjasama pihak tuan/puan amatlah dihargai.",
        keep=True,
    )


def _convey(doc: Document, number: str) -> None:
    """makluman-keputusan's last paragraph: AB is asked to convey the decision to KLN."""
    numbered(
        doc,
        number,
        "Sehubungan itu, pihak tuan/puan dipohon untuk menyampaikan keputusan ini kepada "
        "Kementerian Luar Negeri untuk dimaklumkan kepada ",
        "{{ kes.kedutaan }}",
        " melalui Nota Diplomatik",
        "{% if kes.nota_ringkas %} sebagai maklum balas kepada {{ kes.nota_ringkas }}{% endif %}",
        ".",
        keep=True,
    )


def makluman_keputusan(doc: Document) -> None:
    tag(doc, "{%p if diluluskan %}")
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa Pengurusan Tinggi Kementerian Dalam Negeri (KDN) pada ",
        "{{ tarikh_keputusan }}",
        " telah ",
        ("bersetuju", {"bold": True}),
        " untuk mengadakan rundingan ",
        "{{ kes.perihal }}",
        ".",
        "{% if rundingan.tempoh %} Rundingan tersebut dicadangkan diadakan "
        "{{ rundingan.tempoh }}{% if rundingan.tempat %} di {{ rundingan.tempat }}{% endif %}."
        "{% endif %}",
    )
    numbered(
        doc,
        "3.",
        "Mesyuarat Persediaan Rundingan telah diadakan pada ",
        "{{ tarikh_mesyuarat }}",
        "{% if tempat %} di {{ tempat }}{% endif %}",
        "{% if kehadiran %} dan dihadiri oleh wakil {{ kehadiran|senarai }}{% endif %}",
        ".",
    )
    numbered_each(doc, "h in hasil_mesyuarat", "{{ loop.index + 3 }}.", "{{ h }}")
    _convey(doc, "{{ hasil_mesyuarat|length + 4 }}.")
    tag(doc, "{%p else %}")
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa Pengurusan Tinggi Kementerian Dalam Negeri (KDN) pada ",
        "{{ tarikh_keputusan }}",
        " telah memutuskan untuk ",
        ("tidak bersetuju", {"bold": True}),
        " dengan cadangan mengadakan rundingan ",
        "{{ kes.perihal }}",
        ". Dengan keputusan ini, urusan rundingan tersebut tidak akan diteruskan oleh pihak KDN.",
    )
    numbered_each(doc, "x in sebab", "{{ loop.index + 2 }}.", "{{ x }}")
    _convey(doc, "{{ sebab|length + 3 }}.")
    tag(doc, "{%p endif %}")


def _ask_kln(doc: Document, first: str, second: str) -> None:
    """memo-kln's last two paragraphs: KLN is asked to tell the mission, copying KDN."""
    numbered(
        doc,
        first,
        "Sehubungan itu, Kementerian ini memohon jasa baik pihak tuan/puan untuk memaklumkan "
        "keputusan tersebut kepada ",
        "{{ kedutaan }}",
        " melalui Nota Diplomatik",
        "{% if kes.nota_ringkas %} sebagai maklum balas kepada {{ kes.nota_ringkas }}{% endif %}",
        " dan menyalinkan Nota Diplomatik tersebut kepada Kementerian Dalam Negeri untuk rekod "
        "dan tindakan selanjutnya.",
    )
    numbered(
        doc,
        second,
        "Kerjasama dan perhatian pihak tuan/puan dalam perkara ini amatlah dihargai.",
        keep=True,
    )


def memo_kln(doc: Document) -> None:
    tag(doc, "{%p if diluluskan %}")
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa Pengurusan Tinggi Kementerian Dalam Negeri (KDN) pada ",
        "{{ tarikh_keputusan }}",
        " telah ",
        ("bersetuju", {"bold": True}),
        " untuk mengadakan rundingan ",
        "{{ kes.perihal }}",
        ".",
        "{% if rundingan.tempoh %} KDN mencadangkan rundingan tersebut diadakan "
        "{{ rundingan.tempoh }}{% if rundingan.tempat %} di {{ rundingan.tempat }}{% endif %}."
        "{% endif %}",
    )
    numbered_each(doc, "h in hasil_mesyuarat", "{{ loop.index + 2 }}.", "{{ h }}")
    _ask_kln(doc, "{{ hasil_mesyuarat|length + 3 }}.", "{{ hasil_mesyuarat|length + 4 }}.")
    tag(doc, "{%p else %}")
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa Pengurusan Tinggi Kementerian Dalam Negeri (KDN) pada ",
        "{{ tarikh_keputusan }}",
        " telah memutuskan untuk ",
        ("tidak bersetuju", {"bold": True}),
        " dengan cadangan mengadakan rundingan ",
        "{{ kes.perihal }}",
        ".",
    )
    numbered_each(doc, "x in sebab", "{{ loop.index + 2 }}.", "{{ x }}")
    _ask_kln(doc, "{{ sebab|length + 3 }}.", "{{ sebab|length + 4 }}.")
    tag(doc, "{%p endif %}")


def serahan_dokumen(doc: Document) -> None:
    numbered(
        doc,
        "2.",
        "Adalah dimaklumkan bahawa rundingan ",
        "{{ kes.perihal }}",
        " telah diadakan ",
        "{{ rundingan.tempoh }}",
        " di ",
        "{{ rundingan.tempat }}",
        ".",
    )
    numbered(
        doc,
        "3.",
        "Bersama-sama ini disertakan ",
        "{{ lampiran }}",
        " untuk simpanan dan pemfailan oleh pihak tuan/puan selaras dengan Prosedur Operasi "
        "Standard (SOP) Rundingan Instrumen Kerjasama Antarabangsa (IKA).",
        keep=True,
    )


# ---------------------------------------------------------------- the Minit Cerai


def minit_cerai(out: Path) -> Path:
    """A loose minute to top management, not a letter: no letterhead, a decision block."""
    doc = new_document("Minit Cerai")
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    marking(section.first_page_header)
    para(section.first_page_header, ("", {"size": 2}))
    later_pages_header(doc, label="Ruj.")
    footers(doc)
    para(doc, ("MINIT CERAI", {"bold": True, "size": 14}), align="center", after=12)
    kw = {"left": Cm(3.0), "first": Cm(-3.0), "tabs": [Cm(2.6), Cm(3.0)], "after": 2}
    para(doc, "Kepada\t:\t", "{{ kepada.nama }}, {{ kepada.organisasi }}", **kw)  # type: ignore[arg-type]
    para(
        doc,
        "Daripada\t:\t",
        "{{ penandatangan.jawatan }}, {{ pengirim.nama }}",
        **kw,  # type: ignore[arg-type]
    )
    para(doc, "Tarikh\t:\t", "{{ tarikh }}", **kw)  # type: ignore[arg-type]
    para(doc, "Ruj.\t:\t", "{{ ruj_kami }}", **kw)  # type: ignore[arg-type]
    rule(para(doc, ("", {"size": 4}), after=12))
    subject(doc)

    def heading(n: str, text: str) -> None:
        para(doc, f"{n}\t", (text, {"bold": True}), tabs=[NUM_TAB], after=6, keep=True)

    heading("1.", "TUJUAN")
    numbered_each(doc, "t in tujuan", "1.{{ loop.index }}", "{{ t }}")
    heading("2.", "LATAR BELAKANG")
    numbered(
        doc,
        "2.1",
        "Cadangan ini diterima melalui ",
        "{{ kes.permintaan }}",
        " pada ",
        "{{ kes.diterima }}",
        " dan melibatkan rundingan di peringkat ",
        "{{ kes.peringkat }}",
        ".",
    )
    numbered_each(doc, "t in latar_belakang", "2.{{ loop.index + 1 }}", "{{ t }}")
    heading("3.", "ULASAN YANG DITERIMA")
    numbered(
        doc,
        "3.1",
        "Ulasan/input yang diterima daripada Bahagian/Jabatan/Agensi yang berkaitan adalah "
        "seperti yang berikut:",
        after=6,
        keep=True,
    )
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(table, [1.2, 4.3, 3.0, 7.5])
    for cell, label in zip(
        table.rows[0].cells, ("Bil.", "Daripada", "Tarikh", "Ringkasan ulasan"), strict=True
    ):
        p = first_paragraph(cell)
        r = p.add_run(label)
        r.bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        shade(cell)
    repeat_header(table.rows[0])
    first_paragraph(table.rows[1].cells[0]).add_run("{%tr for u in ulasan %}")
    row = table.rows[2].cells
    first_paragraph(row[0]).add_run("{{ loop.index }}.")
    first_paragraph(row[0]).alignment = WD_ALIGN_PARAGRAPH.CENTER
    first_paragraph(row[1]).add_run("{{ u.daripada }}")
    first_paragraph(row[2]).add_run("{{ u.tarikh }}")
    first_paragraph(row[3]).add_run("{{ u.ringkasan }}")
    first_paragraph(row[3]).alignment = WD_ALIGN_PARAGRAPH.LEFT
    no_split(table.rows[2])
    first_paragraph(table.rows[3].cells[0]).add_run("{%tr endfor %}")
    para(doc, after=6)
    heading("4.", "SYOR")
    numbered_each(doc, "t in syor", "4.{{ loop.index }}", "{{ t }}")
    numbered(
        doc,
        "4.{{ syor|length + 1 }}",
        "Pengurusan Tinggi KDN adalah dipohon untuk mempertimbangkan dan meluluskan syor di atas.",
        keep=True,
    )
    cell = unbreakable(doc).rows[0].cells[0]  # type: ignore[attr-defined]
    for _ in range(3):
        para(cell)  # room for the signature, which never stands alone on the next page
    drop_first_paragraph(cell)
    signature(cell)
    para(doc, after=10)

    # The decision, filled in by top management (ticked here once the register knows it).
    box = doc.add_table(rows=1, cols=1)
    box.style = doc.styles["Table Grid"]
    widths(box, [16.0])
    no_split(box.rows[0])
    cell = box.rows[0].cells[0]
    head = first_paragraph(cell)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.space_before = Pt(6)
    head.paragraph_format.space_after = Pt(8)
    r = head.add_run("KEPUTUSAN PENGURUSAN TINGGI")
    r.bold = True
    tick = {"font": "Segoe UI Symbol", "size": 13}
    para(
        cell,
        ("{% if diluluskan %}☒{% else %}☐{% endif %}", tick),
        "  Diluluskan\t",
        ("{% if ditolak %}☒{% else %}☐{% endif %}", tick),
        "  Tidak diluluskan",
        left=Cm(0.3),
        tabs=[Cm(8.0)],
        after=10,
    )
    # "\t" + ZWSP: LibreOffice draws no leader for a tab that ends a paragraph in a table cell.
    fill = "\t\u200b"
    line_end = Cm(15.2)
    para(cell, "Ulasan : ", fill, left=Cm(0.3), dots=line_end, after=10)
    para(cell, fill, left=Cm(0.3), dots=line_end, after=20)
    sign = {"left": Cm(0.3), "tabs": [Cm(2.8)], "dots": Cm(10.5), "after": 10}
    for label in ("Tandatangan", "Nama", "Jawatan"):
        para(cell, f"{label}\t: ", fill, **sign)  # type: ignore[arg-type]
    tag(cell, "{%p if tarikh_keputusan %}")
    para(cell, "Tarikh\t: ", "{{ tarikh_keputusan }}", **sign)  # type: ignore[arg-type]
    tag(cell, "{%p else %}")
    para(cell, "Tarikh\t: ", fill, **sign)  # type: ignore[arg-type]
    tag(cell, "{%p endif %}")
    slim(doc)
    path = out / "minit-cerai.docx"
    doc.save(str(path))
    return path


LETTERS: dict[str, tuple[str, Callable[[Document], None]]] = {
    "makluman-bahagian": ("Makluman kepada Bahagian", makluman_bahagian),
    "permohonan-ulasan": ("Permohonan Ulasan", permohonan_ulasan),
    "jemputan-mesyuarat": ("Jemputan Mesyuarat Persediaan", jemputan_mesyuarat),
    "makluman-keputusan": ("Makluman Keputusan", makluman_keputusan),
    "memo-kln": ("Memo Keputusan kepada KLN", memo_kln),
    "serahan-dokumen": ("Serahan Dokumen Hasil Rundingan", serahan_dokumen),
}


DISTRIBUTION = {"jemputan-mesyuarat"}  # one letter "Seperti Senarai Edaran" without --to


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    written = [letter(key, title, body, out, distribution=key in DISTRIBUTION)
               for key, (title, body) in LETTERS.items()]
    written.append(minit_cerai(out))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
