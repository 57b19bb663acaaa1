"""Look of the app: one stylesheet and the few colours widgets use for messages."""
from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel

from app.core.store.paths import resources_dir

ACCENT = "#1a5fb4"          # a sober government blue
ERROR = "color: #c5221f;"
WARNING = "color: #a15c00;"
HINT = "color: #5f6368;"
OK = "color: #137333;"
REQUIRED_MARK = " *"

APP_STYLESHEET = f"""
QListView#navigation {{
    background: #f3f5f8;
    border: none;
    border-right: 1px solid #dfe3e8;
    font-size: 10.5pt;
    outline: none;
    padding-top: 8px;
}}
QListView#navigation::item {{
    padding: 9px 14px;
    border-left: 3px solid transparent;
    color: #303438;
}}
QListView#navigation::item:hover {{ background: #e8ecf2; }}
QListView#navigation::item:selected {{
    background: #e3ecf8;
    border-left: 3px solid {ACCENT};
    color: {ACCENT};
    font-weight: bold;
}}
QLabel#pageTitle {{ font-size: 14pt; font-weight: bold; color: #202124; }}
QLabel#pageSubtitle {{ color: #5f6368; }}
QLabel#placeholderTitle {{ font-size: 15pt; font-weight: bold; color: #3c4043; }}
QLabel#placeholderText {{ color: #5f6368; font-size: 10.5pt; }}
QLabel#placeholderNote {{ color: #80868b; }}
QTableView {{ gridline-color: #e6e8eb; selection-background-color: #d2e3fc; selection-color: #202124; }}
QHeaderView::section {{ background: #f6f7f9; border: none; border-right: 1px solid #e6e8eb;
                        border-bottom: 1px solid #dfe3e8; padding: 4px 6px; color: #3c4043; }}
QStatusBar QLabel {{ color: #3c4043; padding: 0 6px; }}
"""

BANNER_ERROR = "QFrame#banner { border: 1px solid #f1c2be; background: #fdf0ef; border-radius: 4px; }"
BANNER_OK = "QFrame#bannerOk { border: 1px solid #b7dfc0; background: #eef8f0; border-radius: 4px; }"


def caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(HINT)
    return label


def app_icon() -> QIcon:
    """The app's icon in every size drawn (scripts/make_icon.py); Qt picks the one it needs."""
    icon = QIcon()
    for path in sorted((resources_dir() / "icons").glob("govinspect-*.png")):
        icon.addFile(str(path))
    return icon
