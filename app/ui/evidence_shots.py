"""Evidence screenshots drawn with Qt's rich-text engine (QTextDocument painted on a QImage).

Works in any thread and offscreen (no window, no GPU). The page comes already made safe by
app/core/exports/shot_html.prepare (no scripts, no external resources, caps applied); the
document refuses every resource anyway. Before drawing, the text layer itself is scanned once
more and every long number masked in place, so a number split across tags is never drawn whole.
The PNG: a grey header (page, time kept, SHA-256 of the kept copy, time drawn) above the part of
the page around the first highlight.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen, QTextCursor, QTextDocument

from app.core.errors import GovInspectError
from app.core.exports import shots as shots_mod
from app.core.checks.pii import mask_spans, mask_text
from app.core.exports.shot_html import MARK_BG, Prepared, prepare

from .workers import DbWorker

WIDTH = 1000                 # px: a desktop reading width
MAX_HEIGHT = 900             # px of page drawn below the header
ABOVE_MARK = 220             # px shown above the first highlight
DEADLINE = 15.0              # seconds for one screenshot
HEADER_BG, HEADER_FG = QColor("#f1f3f4"), QColor("#3c4043")
FRAME = QColor("#d93025")
FONTS = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "SimSun", "sans-serif"]

_app = None


class RenderError(GovInspectError):
    pass


def ensure_gui() -> None:
    """A QGuiApplication for drawing (the CLI has none): offscreen when there is no display."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["govinspect"])


class _Document(QTextDocument):
    def loadResource(self, kind, url):  # noqa: N802 - Qt override
        return None                     # never fetch: not the network, not a local file


@dataclass
class Drawn:
    width: int
    height: int
    marks: int                          # highlights in the drawn document
    masked: int                         # numbers masked in the text layer at drawing time
    top: int                            # page y where the drawn part starts
    text_layer: str = ""                # the document's text as drawn (for checks)
    notes: list[str] = field(default_factory=list)


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise RenderError("生成截图超时（页面过于复杂），已放弃")


def _mask_layer(doc: QTextDocument) -> int:
    """Mask every long number in the document's own text, in place (keeps each run's format)."""
    spans = mask_spans(doc.toPlainText())
    cursor = QTextCursor(doc)
    for start, end, masked in reversed(spans):
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(masked, cursor.charFormat())
    return len(spans)


def _mark_rects(doc: QTextDocument, limit: int = 50) -> list[QRectF]:
    """Document rectangles of the highlighted runs (their background is MARK_BG)."""
    layout, out, block = doc.documentLayout(), [], doc.begin()
    mark = QColor(MARK_BG)
    while block.isValid() and len(out) < limit:
        it = block.begin()
        box = layout.blockBoundingRect(block)
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.charFormat().background().color() == mark:
                line_layout = block.layout()
                rel = frag.position() - block.position()
                line = line_layout.lineForTextPosition(rel)
                if line.isValid():
                    x0 = line.cursorToX(rel)[0]
                    x1 = line.cursorToX(rel + frag.length())[0]
                    if x1 < x0:          # the run wraps: frame the line from its start
                        x0, x1 = line.x(), line.x() + line.naturalTextWidth()
                    out.append(QRectF(box.x() + x0, box.y() + line.y(), max(4.0, x1 - x0), line.height()))
            it += 1
        block = block.next()
    return out


def render_png(prepared: Prepared, header: Iterable[str], path: Path | str, *, width: int = WIDTH,
               max_height: int = MAX_HEIGHT, deadline_s: float = DEADLINE) -> Drawn:
    """Draw ``prepared`` below ``header`` (lines already masked; hashes must stay whole) into a PNG at
    ``path``; RenderError past the deadline."""
    ensure_gui()
    deadline = time.monotonic() + deadline_s
    doc = _Document()
    font = QFont()
    font.setFamilies(FONTS)
    font.setPointSize(11)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(16)
    doc.setTextWidth(width)
    doc.setHtml(prepared.html)
    _check(deadline)
    masked = _mask_layer(doc)
    _check(deadline)
    rects = _mark_rects(doc)
    page_h = int(doc.size().height())
    _check(deadline)
    top = max(0, int(rects[0].top()) - ABOVE_MARK) if rects else 0
    shown = max(40, min(max_height, page_h - top))
    lines = [line for line in header if line]          # the caller masks what came from the page
    head_font = QFont(font)
    head_font.setPointSize(9)
    line_h = 18
    head_h = 12 + line_h * len(lines)
    image = QImage(width, head_h + shown, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(0, 0, width, head_h, HEADER_BG)
        painter.setPen(HEADER_FG)
        painter.setFont(head_font)
        for i, line in enumerate(lines):
            painter.drawText(QRectF(10, 6 + i * line_h, width - 20, line_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
        painter.translate(0, head_h - top)
        doc.drawContents(painter, QRectF(0, top, width, shown))
        painter.setPen(QPen(FRAME, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for r in rects:
            if top <= r.top() < top + shown:
                painter.drawRect(r.adjusted(-3, -2, 3, 2))
    finally:
        painter.end()
    _check(deadline)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise RenderError(f"无法写入截图文件“{path}”")
    return Drawn(width, image.height(), len(rects), masked, top, doc.toPlainText(), list(prepared.notes))


# ---------------------------------------------------------------- findings -> screenshots

@dataclass
class ShotSummary:
    made: list = field(default_factory=list)             # shots_mod.Shot
    skipped: list = field(default_factory=list)          # (finding id, reason)
    cancelled: bool = False

    def message(self) -> str:
        text = f"已生成 {len(self.made)} 张截图"
        if self.skipped:
            text += f"，{len(self.skipped)} 条未生成（{self.skipped[0][1]}）"
        return text + ("，已取消。" if self.cancelled else "。")


def header_lines(source: shots_mod.ShotSource, title: str, at: str) -> list[str]:
    f = source.finding
    return [mask_text(f"{f.target_name}（{f.target_key}）　{title}"), "网页：" + mask_text(source.page_url, runs=False),
            f"留痕保存时间：{source.fetched_at}　留痕 SHA-256：{source.text_sha256}",
            f"截图生成时间：{at}　问题：" + mask_text(f.detail[:80])]


def make_screenshots(db, finding_ids: Iterable[int], progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None, who: str | None = None) -> ShotSummary:
    """Draw and record a screenshot for each finding that has a kept page (any thread)."""
    sources, skipped = shots_mod.shot_sources(db, finding_ids)
    summary = ShotSummary(skipped=list(skipped))
    for i, source in enumerate(sources):
        if cancelled and cancelled():
            summary.cancelled = True
            break
        now = dt.datetime.now().replace(microsecond=0)
        at = now.isoformat(sep=" ")
        started = time.monotonic()
        prepared = prepare(source.text, source.page_url, source.marks)     # bounded by its caps
        path = shots_mod.shot_path(db, source, now)
        try:
            drawn = render_png(prepared, header_lines(source, prepared.title, at), path,
                               deadline_s=DEADLINE - (time.monotonic() - started))
        except RenderError as exc:
            summary.skipped.append((source.finding.id, str(exc)))
            continue
        except OSError as exc:            # the data folder is read-only or full: say so, go on
            summary.skipped.append((source.finding.id, f"无法写入截图文件：{exc.strerror or exc}"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        notes = drawn.notes + ([] if drawn.marks or source.marks.empty else ["未在页面中定位到问题位置"])
        summary.made.append(shots_mod.record_shot(db, source, path, digest, at, drawn.marks, notes, who))
        if progress:
            progress(i + 1, len(sources))
    return summary


class ShotWorker(DbWorker):
    """make_screenshots on a worker thread (the 生成截图 action of 审核评分)."""

    def __init__(self, db_path: Path, finding_ids: list[int]):
        super().__init__(db_path)
        self._ids = list(finding_ids)

    def work(self, db) -> ShotSummary:
        return make_screenshots(db, self._ids)
