"""The per-site report (.docx): one round target's score, result and coverage, its vetoes and
deductions each with the confirmed findings behind them (evidence text and screenshots), the
findings not counted, and how the screenshots were made. Text goes through pii.mask_text, so no
document shows a full 身份证号, 手机号 or card number even if one was typed into a manual finding.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import sqlite_utils

from ..checks.pii import mask_text
from ..errors import GovInspectError
from ..office.names import safe_filename, xml_text
from ..rounds.findings import Finding, list_findings
from ..rounds.round_scores import RoundScores, score_round
from ..rounds.rounds import get_round, round_targets
from ..rounds.scoring import CONFIRMED
from ..store import audit
from .shots import RENDERER, Shot

ROLE_ZH = {"veto": "单项否决", "deduction": "扣分", "bonus": "加分", "cap": "封顶", "note": "说明"}
TYPE_ZH = {"site": "网站", "account": "政务新媒体"}
SHOT_NOTE = ("截图说明：截图由本软件从自动检查时保存的网页留痕（原始 HTML）离线重绘生成，"
             f"渲染方式为 {RENDERER}；页面中的脚本、样式表和图片不加载（图片以“[图片]”占位），"
             "版式与浏览器所见可能不同，文字内容与留痕一致。问题位置以黄底红字和红框标出，"
             "隐藏链接会显示并标注“【隐藏链接】”；身份证号、手机号、银行卡号等一律打码。"
             "每张截图注明网页地址、留痕保存时间、留痕 SHA-256 和截图生成时间，可据此核对留痕原件。")


@dataclass(frozen=True)
class SiteReport:
    target_key: str
    path: Path
    findings: int
    screenshots: int


def report_targets(db: sqlite_utils.Database, round_id: int, keys: Iterable[str] | None = None) -> list:
    """The round targets to report on: those named (GovInspectError for an unknown key), else every
    target with at least one finding."""
    targets = round_targets(db, round_id)
    if keys:
        by_key = {t.target_key: t for t in targets}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise GovInspectError(f"本轮次没有检查对象“{'、'.join(missing)}”。")
        return [by_key[k] for k in dict.fromkeys(keys)]
    with_findings = {r[0] for r in db.conn.execute("SELECT DISTINCT target_id FROM findings WHERE round_id = ?",
                                                   (round_id,))}
    return [t for t in targets if t.id in with_findings]


def _owner(profile, line_ids: set[str]) -> Callable[[str], str | None]:
    """Item id -> the nearest item at or above it that has a score line."""
    parent: dict[str, str | None] = {}
    for top in profile.items:
        stack = [(top, None)]
        while stack:
            item, up = stack.pop()
            parent[item.id] = up
            stack.extend((c, item.id) for c in item.children)

    def find(item_id: str) -> str | None:
        seen = 0
        while item_id is not None and seen < 50:
            if item_id in line_ids:
                return item_id
            item_id, seen = parent.get(item_id), seen + 1
        return None
    return find


def _fonts(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def _t(value) -> str:
    return xml_text(mask_text(str(value or "")))


def add_finding(doc, f: Finding, shot: Shot | None, number: str = "") -> bool:
    """One finding: description, link, evidence, its screenshot (True when a picture was added)."""
    from docx.shared import Cm, Pt

    p = doc.add_paragraph()
    p.add_run(f"{number}{_t(f.detail or f.snippet or f.indicator_id)}").bold = True
    for label, value in (("页面", f.page), ("链接", f.url if f.url != f.page else ""), ("片段", f.snippet),
                         ("证据", f.evidence_text)):
        if value:
            shown = xml_text(mask_text(value, runs=False)) if label in ("页面", "链接") else _t(value)
            doc.add_paragraph(f"{label}：{shown[:3000]}").paragraph_format.left_indent = Pt(18)
    path = (shot.path if shot else "") or f.screenshot_path
    if path and Path(path).suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".bmp") and Path(path).is_file():
        try:
            doc.add_picture(str(path), width=Cm(16))
        except Exception as exc:      # a damaged or odd image file: say so, keep the report
            doc.add_paragraph(f"（截图文件无法插入：{type(exc).__name__}）")
            return False
        cap = _t(f"截图：{Path(path).name}")
        if shot:                          # hashes are hex, not numbers: never through mask_text
            cap += f"；生成时间 {shot.captured_at}；留痕保存时间 {shot.page_fetched_at}；留痕 SHA-256 {shot.page_sha256}"
        doc.add_paragraph(xml_text(cap)).runs[0].font.size = Pt(8)
        return True
    return False


def write_site_report(db: sqlite_utils.Database, round_id: int, target, out_dir: Path | str,
                      shots: dict[int, Shot], scores: RoundScores | None = None) -> SiteReport:
    """Write <name>_<key>_检查报告.docx into ``out_dir``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    scores = scores or score_round(db, round_id)
    rnd = get_round(db, round_id)
    scored = next((t for t in scores.targets if t.key == target.target_key and t.target_type == target.target_type),
                  None)
    if scored is None:
        raise GovInspectError(f"检查对象“{target.target_key}”没有得分记录。")
    found = list_findings(db, round_id, target_id=target.id)
    confirmed = [f for f in found if f.status == CONFIRMED]
    s = scored.score
    doc = Document()
    _fonts(doc)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(_t(f"{target.name} 检查报告"))
    run.bold, run.font.size = True, Pt(20)
    summary = scores.summary.sites if target.target_type == "site" else scores.summary.accounts
    rows = [("检查对象", f"{target.name}（{TYPE_ZH.get(target.target_type, '')}，{target.target_key}）"),
            ("主办单位", target.unit_name), ("地区", target.region_name), ("网址", mask_text(target.url, runs=False)),
            ("检查轮次", f"{rnd.name}（编号 {rnd.id}）"), ("监测时间点", rnd.as_of),
            ("检查状态", scored.review_state), ("本轮覆盖", summary.coverage),
            ("结论", scored.result),
            ("得分", "—" if not scored.checked or s.final_score is None else f"{s.final_score:.2f}"
             + (f"（扣分部分 {s.deduction_score:.2f}，加分 {s.bonus_score or 0:.2f}）" if s.deduction_score is not None
                else "")),
            ("指标体系", f"{scores.round.profile_id} {scores.round.profile_version}"
             + ("（含待核对数值）" if s.unverified_used else "")),
            ("报告生成时间", audit.now())]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, _t(value)
    if not scored.checked:
        doc.add_paragraph(f"该对象本轮为“{scored.review_state}”，不计入合格率；以下问题仅供参考。")
    profile = scores.profiles.get(target.target_type)
    lines = [d for d in s.deductions if d.role in ("veto", "deduction")]
    owner = _owner(profile, {d.indicator_id for d in lines}) if profile else (lambda _i: None)
    by_line: dict[str, list[Finding]] = {}
    for f in confirmed:
        by_line.setdefault(owner(f.indicator_id) or "", []).append(f)
    pictures = 0
    for role, title in (("veto", "一、单项否决"), ("deduction", "二、扣分项")):
        doc.add_heading(title, level=2)
        mine = [d for d in lines if d.role == role]
        if not mine:
            doc.add_paragraph("无。")
        for n, d in enumerate(mine, start=1):
            text = f"{n}. {d.name}：{d.explanation}" if role == "veto" else \
                f"{n}. {d.name}：{d.count} 处，扣 {d.points:g} 分。{d.explanation}"
            doc.add_paragraph(_t(text + ("（含待核对数值）" if d.unverified else ""))).runs[0].bold = True
            for i, f in enumerate(by_line.pop(d.indicator_id, []), start=1):
                pictures += add_finding(doc, f, shots.get(f.id), f"（{i}）")
    other = [d for d in s.deductions if d.role not in ("veto", "deduction")]
    unlisted = [f for fs in by_line.values() for f in fs]
    pending = [f for f in found if f.status != CONFIRMED]
    doc.add_heading("三、其他记录", level=2)
    for d in other:
        doc.add_paragraph(_t(f"{ROLE_ZH.get(d.role, d.role)}：{d.explanation}"))
    if unlisted:
        # e.g. after a veto the scorer stops (veto_short_circuit), or an item that only records
        doc.add_paragraph(f"已确认、未单列扣分的问题 {len(unlisted)} 条：").runs[0].bold = True
        for i, f in enumerate(unlisted, start=1):
            pictures += add_finding(doc, f, shots.get(f.id), f"（{i}）")
    if pending:
        doc.add_paragraph(f"未计分的问题 {len(pending)} 条（待审核、存疑或误报）：")
        for f in pending[:200]:
            doc.add_paragraph(_t(f"[{f.status}] {f.detail or f.snippet}")[:500], style="List Bullet")
    if not (other or unlisted or pending):
        doc.add_paragraph("无。")
    doc.add_heading("四、截图说明", level=2)
    doc.add_paragraph(SHOT_NOTE)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{safe_filename(target.name, '检查对象', 90)}_{safe_filename(target.target_key, '', 40)}_检查报告.docx"
    doc.save(path)
    return SiteReport(target.target_key, path, len(found), pictures)
