"""Build resources/templates/circular.docx: the editable Word template of the circular draft.

The template uses docxtpl (Jinja) tags. An office may restyle it in Word — fonts, sizes,
margins and the styles 文号 / 通报标题 / 主送 / 一级标题 / 二级标题字符 / 落款 / 附件列表 — without
touching code, as long as each {{ … }} and {%p … %} tag stays intact in one piece.
Run: python scripts/make_circular_template.py [OUT]
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "templates" / "circular.docx"

# 党政机关公文格式 (GB/T 9704) in short: A4, 仿宋_GB2312 三号 body, 方正小标宋简体 二号 title,
# 黑体 first-level and 楷体_GB2312 second-level headings, 28-29 pt fixed line spacing.
BODY_FONT, TITLE_FONT, H1_FONT, H2_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
FIGURE_FONT = "Times New Roman"
BODY_SIZE, TITLE_SIZE, LINE = Pt(16), Pt(22), Pt(28.95)


def _fonts(element, east_asia: str, latin: str | None = None) -> None:
    """Set the East Asian font (and the Latin one) on a style's or run's rPr."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    latin = latin or east_asia
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), value)


def _paragraph_style(doc, name: str, font: str, size, *, align=None, indent: bool = True, bold=False,
                     line=LINE):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
        style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    _fonts(style.element, font, FIGURE_FONT if font == BODY_FONT else font)
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(32) if indent else Pt(0)
    pf.widow_control = False
    if align is not None:
        pf.alignment = align
    return style


def _character_style(doc, name: str, font: str):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    _fonts(style.element, font)
    return style


def _page_number_footer(section) -> None:
    """— 1 — centred (PAGE field)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)

    def run(text: str):
        r = p.add_run(text)
        r.font.size = Pt(14)
        _fonts(r._element, "宋体")
        return r

    run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    p._p.append(field)
    p._p.append(run(" —")._r)


def build(out: Path = OUT) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)

    _paragraph_style(doc, "Normal", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph_style(doc, "通报标题", TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                     line=Pt(36))
    _paragraph_style(doc, "主送", BODY_FONT, BODY_SIZE, indent=False)
    _paragraph_style(doc, "文号", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph_style(doc, "一级标题", H1_FONT, BODY_SIZE)
    _paragraph_style(doc, "附件列表", BODY_FONT, BODY_SIZE)
    _paragraph_style(doc, "落款", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    doc.styles["落款"].paragraph_format.right_indent = Pt(64)
    # 附件：1.xxx — wrapped lines and the next items (led by three full-width spaces) align after "附件：".
    doc.styles["附件列表"].paragraph_format.left_indent = Pt(80)
    doc.styles["附件列表"].paragraph_format.first_line_indent = Pt(-48)
    h2 = _character_style(doc, "二级标题字符", H2_FONT)
    _page_number_footer(section)

    def para(text: str = "", style: str = "Normal"):
        p = doc.add_paragraph(style=style)
        if text:
            p.add_run(text)
        return p

    def placeholder(p, text: str):
        r = p.add_run(text)
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return r

    para("{%p if doc_number %}")
    para("{{ doc_number }}", "文号")
    para()
    para("{%p endif %}")
    para("{{ title }}", "通报标题")
    para()
    para("{{ addressees }}", "主送")
    para("{{ opening }}")
    para("{%p for sec in sections %}")
    para("{{ sec.heading }}", "一级标题")
    para("{%p for p in sec.paragraphs %}")
    p = para()
    p.add_run("{{ p.heading }}", style=h2)
    p.add_run("{{ p.text }}")
    placeholder(p, "{{ p.placeholder }}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{{ rectify_text }}")
    para()
    para("{%p for a in annexes %}")
    para("{{ a }}", "附件列表")
    para("{%p endfor %}")
    para()
    para()
    para("{{ issuer }}", "落款")
    para("{{ date_text }}", "落款")

    doc.core_properties.title = "政府网站和政务新媒体检查情况通报（模板）"
    doc.core_properties.author = "政网巡检 GovInspect"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
