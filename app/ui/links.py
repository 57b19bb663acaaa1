"""Handing links and evidence files to the desktop, safely: only http(s) links open in the browser and
only evidence files of viewable types open in their viewer. A crawled or imported value is data, never
a command (a file:///…/calc.exe or ms-msdt: link would launch a program on Windows)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from app.core.registry.validation import web_link

# What an evidence file (screenshot, saved page, report) may be; anything else is never opened.
EVIDENCE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".pdf", ".docx", ".xlsx", ".txt"}
REFUSED_LINK = "只能在浏览器中打开 http/https 网址；此链接（{}）仅作文字显示，未打开。"
REFUSED_FILE = "只能打开截图、PDF 或 Office 文件；“{}”未打开。"
MISSING_FILE = "文件“{}”不存在。"


def evidence_file(path) -> Path | None:
    """The file if it exists and is of a viewable type, else None."""
    if not path:
        return None
    p = Path(str(path))
    return p if p.suffix.lower() in EVIDENCE_SUFFIXES and p.is_file() else None


def open_link(url) -> str:
    """Open an http(s) link in the browser; '' when opened, else the reason in Chinese."""
    safe = web_link(url)
    if safe is None:
        return REFUSED_LINK.format(str(url)[:120])
    QDesktopServices.openUrl(QUrl(safe, QUrl.ParsingMode.StrictMode))
    return ""


def open_evidence(path) -> str:
    """Open an evidence file in its viewer; '' when opened, else the reason in Chinese."""
    if not path:
        return MISSING_FILE.format("")
    p = Path(str(path))
    if p.suffix.lower() not in EVIDENCE_SUFFIXES:
        return REFUSED_FILE.format(p.name)
    if not p.is_file():
        return MISSING_FILE.format(p)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(p)))
    return ""


def open_folder(path) -> str:
    """Open a folder the app wrote into (exports); '' when opened."""
    p = Path(str(path))
    if not p.is_dir():
        return MISSING_FILE.format(p)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(p)))
    return ""
