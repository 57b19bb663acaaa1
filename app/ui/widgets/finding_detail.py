"""The detail pane under the findings queue: one finding as a label/value table with its links,
and the plain-text evidence block the reviewer copies."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtWidgets import QTextBrowser

from app.core.registry.validation import web_link

from app.core.exports.shots import Shot
from app.core.rounds.findings import WHITELIST_NOTE, Finding, WhitelistRule

from ..links import evidence_file, open_evidence, open_link
from ..table_models.findings_queue_model import TYPE_ZH

PLACEHOLDER = "选择一条问题查看详情。"
THUMB_WIDTH = 320
THUMB_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp"}
NOT_WEB = '<span style="color:#b06000">（不是网页链接，仅作文字显示）</span>'


def _link(url: str) -> str:
    """An anchor for an http(s) link; any other scheme is shown as text with a warning."""
    e = html.escape
    if web_link(url):
        return f'<a href="{e(url, quote=True)}">{e(url)}</a>'
    return f"{e(url)} {NOT_WEB}"


class FindingDetail(QTextBrowser):
    link_refused = Signal(str)          # why a clicked link was not opened

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.setPlaceholderText(PLACEHOLDER)

    def show_finding(self, f: Finding, indicator_name: str, kind_label: str,
                     rule: WhitelistRule | None = None, shot: Shot | None = None) -> None:
        """``shot``: the newest screenshot drawn from the kept page (thumbnail, time and hash)."""
        e = html.escape
        rows = [("检查对象", f"{e(f.target_name)}（{TYPE_ZH.get(f.target_type, '')} · {e(f.target_key)}）"),
                ("指标", f"{e(indicator_name)}（{e(f.indicator_id)}）")]
        if f.kind:
            rows.append(("问题类型", e(kind_label)))
        if f.url:
            rows.append(("链接", _link(f.url)))
        if f.page:
            rows.append(("页面", _link(f.page) if "://" in f.page or ":" in f.page.split("/")[0] else e(f.page)))
        for label, value in (("问题描述", f.detail), ("片段", f.snippet), ("证据", f.evidence_text)):
            if value:
                rows.append((label, e(value).replace("\n", "<br>")))
        path = f.screenshot_path or (shot.path if shot else "")
        if path:
            if evidence_file(path):
                url = e(QUrl.fromLocalFile(path).toString(), quote=True)
                thumb = (f'<a href="{url}"><img src="{url}" width="{THUMB_WIDTH}"></a><br>'
                         if Path(path).suffix.lower() in THUMB_SUFFIXES else "")
                made = ""
                if shot and shot.path == path:
                    made = (f'<br><span style="color:#5f6368">从网页留痕生成于 {e(shot.captured_at)}；'
                            f"留痕保存于 {e(shot.page_fetched_at)}；留痕 SHA-256 {e(shot.page_sha256[:16])}…"
                            f"{'；' + e(shot.notes) if shot.notes else ''}</span>")
                rows.append(("截图", f'{thumb}<a href="{url}">{e(path)}</a>{made}'))
            else:
                rows.append(("截图", f'{e(path)} <span style="color:#b06000">（文件不存在或类型不可打开）</span>'))
        rows.append(("数量", str(f.count) + (f"（每处扣 {f.deduct} 分）" if f.deduct is not None else "")))
        rows.append(("来源", f"{e(f.source)} · 发现于 {e(f.detected_at)}"))
        if f.reviewed_at:
            rows.append(("审核", f"{e(f.status)} · {e(f.reviewer)} · {e(f.reviewed_at)}"
                         + (f" · {e(f.reviewer_note)}" if f.reviewer_note else "")))
        if f.whitelist_rule_id:
            what = "；".join(x for x in ((f"链接 {rule.url}" if rule and rule.url else ""),
                                         (f"文字“{rule.text}”" if rule and rule.text else "")) if x)
            note = f"（{e(rule.note)}）" if rule and rule.note else ""
            rows.append(("白名单", f'<span style="color:#80868b">{WHITELIST_NOTE}：规则 {f.whitelist_rule_id}'
                                   f"{note}{'，匹配 ' + e(what) if what else ''}</span>"))
        body = "".join(f'<tr><td style="color:#5f6368; padding-right:10px; white-space:nowrap">{k}</td>'
                       f"<td>{v}</td></tr>" for k, v in rows)
        self.setHtml(f"<table cellspacing='2'>{body}</table>")

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        refused = open_evidence(url.toLocalFile()) if url.isLocalFile() else open_link(url.toString())
        if refused:
            self.link_refused.emit(refused)


def evidence_text(items: Iterable[Finding], indicator_name: Callable[[str], str]) -> str:
    """Findings as plain text blocks (what 复制证据 puts on the clipboard)."""
    blocks = []
    for f in items:
        lines = [f"检查对象：{f.target_name}（{f.target_key}）", f"指标：{indicator_name(f.indicator_id)}"]
        for label, value in (("链接", f.url), ("页面", f.page), ("问题描述", f.detail), ("片段", f.snippet),
                             ("证据", f.evidence_text), ("截图", f.screenshot_path)):
            if value:
                lines.append(f"{label}：{value}")
        lines.append(f"状态：{f.status}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
