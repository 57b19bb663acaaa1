"""The circular draft (通报): the words of circular_text.py filled into an editable Word template
(resources/templates/circular.docx, docxtpl), the annex tables embedded after the body as the
published circulars carry them, saved as .docx and as .txt with the same text.

What only the inspector can write (工作亮点, 下一步工作要求 …) stays a marked 【待填写：…】
placeholder, highlighted in the .docx.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..office.xlsx import SheetTable
from ..store.paths import resources_dir
from .annex_data import Annex, RoundData
from .circular_text import build_context
from .layout import Layout
from .options import CircularOptions, ExportOptions
from .wording import printable, safe_filename

PLACEHOLDER = re.compile(r"【待填写[^】]*】")
TABLE_FONT = "仿宋_GB2312"
EMBED_MAX_ROWS = 100      # longer annex tables (扣分明细 of every site …) stay in their workbooks


def template_path() -> Path:
    return resources_dir() / "templates" / "circular.docx"


@dataclass
class CircularDraft:
    """The filled-in values (for a preview) and the paragraphs of the rendered draft."""
    context: dict
    figures: dict
    paragraphs: list[str] = field(default_factory=list)
    docx: bytes = b""
    notes: list[str] = field(default_factory=list)      # e.g. the deadline's year has no official calendar

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs) + "\n"


def _highlight_placeholders(document) -> None:
    """Split runs so that every 【待填写…】 is a run of its own, highlighted yellow."""
    from copy import deepcopy

    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.run import Run

    for p in document.paragraphs:
        for run in list(p.runs):
            text = run.text
            if "【待填写" not in text:
                continue
            pieces = PLACEHOLDER.split(text)
            marks = PLACEHOLDER.findall(text)
            segments = []
            for i, piece in enumerate(pieces):
                if piece:
                    segments.append((piece, False))
                if i < len(marks):
                    segments.append((marks[i], True))
            anchor = run._r
            for seg, mark in segments:
                new = deepcopy(run._r)
                anchor.addnext(new)
                anchor = new
                r = Run(new, p)
                r.text = seg
                if mark:
                    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run._r.getparent().remove(run._r)


def _drop_empty_runs(document) -> None:
    """A paragraph whose heading or placeholder tag rendered empty keeps no empty run."""
    for p in document.paragraphs:
        for run in list(p.runs):
            if run.text == "" and not run._r.xpath("./w:br|./w:drawing|./w:fldChar"):
                run._r.getparent().remove(run._r)


def _font(run, name: str, size=None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = size
    run.font.bold = bold


class _CellWriter:
    """Writes table cells from prototype runs and paragraph properties (deep copies): setting
    fonts through python-docx element by element costs ~1 ms a cell, too slow for a long list."""

    def __init__(self, size_pt: float):
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        half = int(size_pt * 2)
        self._runs = {}
        for bold in (False, True):
            b = "<w:b/><w:bCs/>" if bold else ""
            self._runs[bold] = parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:rFonts w:ascii="{TABLE_FONT}" w:hAnsi="{TABLE_FONT}" '
                f'w:eastAsia="{TABLE_FONT}"/>{b}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'
                f'<w:t xml:space="preserve"></w:t></w:r>')
        self._ppr = {centre: parse_xml(f'<w:pPr {nsdecls("w")}><w:spacing w:line="240" w:lineRule="auto"/>'
                                       f'<w:ind w:firstLine="0"/><w:jc w:val="{"center" if centre else "left"}"/>'
                                       f'</w:pPr>') for centre in (False, True)}

    def write(self, cell, text: str, bold: bool = False, centre: bool = True) -> None:
        from copy import deepcopy

        from docx.oxml.ns import qn
        p = cell._tc.find(qn("w:p"))
        old = p.find(qn("w:pPr"))
        if old is not None:
            p.remove(old)
        p.insert(0, deepcopy(self._ppr[centre]))
        run = deepcopy(self._runs[bold])
        run.find(qn("w:t")).text = printable(text)
        p.append(run)


def _add_table(document, table: SheetTable) -> None:
    """A SheetTable as a Word table: the two-level header and body merges kept, 合计 in bold."""
    grid, header_merges = table.header_grid()
    rows = table.text_rows()
    ncols = len(table.columns)
    t = document.add_table(rows=len(grid) + len(rows), cols=ncols)
    t.style = "Table Grid"
    writer = _CellWriter(10.5 if ncols <= 9 else 9)
    cells_of = [row.cells for row in t.rows]          # t.cell(r, c) walks the whole grid on every call
    for r, cells in enumerate(grid):
        for c, text in enumerate(cells):
            if text is not None:
                writer.write(cells_of[r][c], text, bold=True)
    for r1, c1, r2, c2 in header_merges:
        t.cell(r1, c1).merge(t.cell(r2, c2))
    first = len(grid)
    covered = {(r, c) for r1, c1, r2, c2 in table.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    for i, values in enumerate(rows):
        kind = table.row_kinds.get(i, "data")
        for c, text in enumerate(values[:ncols]):
            if text and (i, c) not in covered:
                numeric = table.columns[c].kind != "text" or text == "—"
                writer.write(cells_of[first + i][c], text, bold=kind in ("total", "section", "block"),
                             centre=numeric or kind == "total" or len(text) <= 12)
    for r1, c1, r2, c2 in table.merges:
        if (r1, c1) != (r2, c2):
            t.cell(first + r1, c1).merge(t.cell(first + r2, c2))


def _embed_annexes(document, annexes: list[Annex]) -> None:
    """Each annex after the body on a new page: 附件N (黑体), its title (小标宋), subtitle, tables, notes."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt
    for annex in annexes:
        wide = any(len(table.columns) > 7 for _, table in annex.sheets)
        last = document.paragraphs[-1]
        last.add_run().add_break(WD_BREAK.PAGE)
        if wide:
            from docx.enum.section import WD_SECTION
            section = document.add_section(WD_SECTION.NEW_PAGE)
            if section.orientation != WD_ORIENT.LANDSCAPE:
                section.orientation = WD_ORIENT.LANDSCAPE
                section.page_width, section.page_height = section.page_height, section.page_width
        p = document.add_paragraph(f"附件{annex.number}" if len(annexes) > 1 else "附件", style="一级标题")
        p.paragraph_format.first_line_indent = Pt(0)
        for s_i, (_sheet, table) in enumerate(annex.sheets):
            title = document.add_paragraph(printable(table.title), style="通报标题")
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if table.subtitle:
                sub = document.add_paragraph(table.subtitle, style="主送")
                sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if len(table.rows) > EMBED_MAX_ROWS:
                n = document.add_paragraph(style="主送")
                _font(n.add_run(f"（本表共{len(table.rows)}行，见附件{annex.number}的Excel文件“{annex.filename}”。）"),
                      TABLE_FONT, Pt(12))
                continue
            _add_table(document, table)
            for note in table.notes:
                n = document.add_paragraph(style="主送")
                _font(n.add_run(printable(note)), TABLE_FONT, Pt(12))


def body_text(document) -> list[str]:
    """The document's paragraphs and table rows in body order: a row's cells joined by tabs, a
    merged cell written once (where it starts)."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    out = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for tr in child.iterchildren(qn("w:tr")):
                cells = []
                for tc in tr.iterchildren(qn("w:tc")):
                    merge = tc.xpath("./w:tcPr/w:vMerge")
                    if merge and merge[0].get(qn("w:val")) in (None, "continue"):
                        cells.append("")
                        continue
                    cells.append("\n".join(Paragraph(p, document).text for p in tc.iterchildren(qn("w:p"))).strip())
                out.append("\t".join(cells))
    return out


def build_circular(data: RoundData, annexes: list[Annex], options: CircularOptions | None = None,
                   period: str | None = None, year=None) -> CircularDraft:
    """Render the draft in memory: the .docx bytes and its text (paragraphs, then the annex tables)."""
    from docx import Document
    from docxtpl import DocxTemplate

    options = options or CircularOptions()
    if data.layout is None:
        data.layout = Layout.of(data, ExportOptions(period=period or ""))
    context, figures, notes = build_context(data, annexes, options, period, year)
    tpl = DocxTemplate(str(options.template or template_path()))
    tpl.render(printable(context), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    document = Document(io.BytesIO(buf.getvalue()))
    _drop_empty_runs(document)
    _highlight_placeholders(document)
    if options.embed_annexes and annexes:
        _embed_annexes(document, annexes)
    out = io.BytesIO()
    document.save(out)
    paragraphs = body_text(document)
    while paragraphs and not paragraphs[-1].strip():
        paragraphs.pop()
    return CircularDraft(context, figures, paragraphs, out.getvalue(), notes)


def draft_filename(data: RoundData, period: str | None = None) -> str:
    return safe_filename(f"通报（草稿）-{data.area}{period or data.period}检查情况")


def save_circular(draft: CircularDraft, out_dir: Path | str, stem: str) -> list[Path]:
    """Write a rendered draft as <stem>.docx and <stem>.txt (same text, UTF-8 with BOM)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path, txt_path = out_dir / f"{stem}.docx", out_dir / f"{stem}.txt"
    docx_path.write_bytes(draft.docx)
    # With a BOM: Notepad and WPS on older Windows then read it as UTF-8, not as GBK.
    txt_path.write_text(draft.text, encoding="utf-8-sig")
    return [docx_path, txt_path]


def write_circular(data: RoundData, annexes: list[Annex], out_dir: Path | str,
                   options: CircularOptions | None = None, period: str | None = None, year=None) -> list[Path]:
    """Render the draft and write it as .docx and .txt into ``out_dir``; returns both paths."""
    draft = build_circular(data, annexes, options, period, year)
    return save_circular(draft, out_dir, draft_filename(data, period))
