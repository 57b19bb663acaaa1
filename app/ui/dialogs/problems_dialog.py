"""A dialog listing row problems of a file (or other lists), like the import wizard's report page.

Non-blocking: callers use open() and connect accepted; an optional action button (e.g. 导入)
accepts the dialog, 关闭 rejects it.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QLabel, QPushButton, QTabWidget,
)

from ..import_pages import Banner, make_table
from ..parts import hbox, vbox
from ..table_models.rows_model import RowsTableModel

PROBLEM_HEADERS = ("行号", "字段", "问题")


def problem_rows(problems) -> list[tuple]:
    """RowProblem list as table rows (row number, field, reason)."""
    return [(p.row if p.row else "文件", p.field or "（整行）", p.reason) for p in problems]


class ProblemListDialog(QDialog):
    def __init__(self, title: str, banner_html: str, ok: bool,
                 tabs: Sequence[tuple[str, Sequence[str], Sequence[Sequence]]],
                 action_text: str | None = None, summary: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(780, 480)
        self.banner = Banner()
        self.banner.show_text(banner_html, ok=ok)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.models: list[RowsTableModel] = []
        self._lines: list[str] = []
        for label, headers, rows in tabs:
            model = RowsTableModel(headers, rows, self)
            view = make_table(model)
            if tuple(headers) == PROBLEM_HEADERS:
                view.setColumnWidth(0, 70)
                view.setColumnWidth(1, 130)
            else:
                for col in range(len(headers) - 1):
                    view.setColumnWidth(col, 150)
            self.models.append(model)
            self.tabs.addTab(view, f"{label}（{len(rows)}）")
            self._lines += [f"{label}\t" + "\t".join("" if v is None else str(v) for v in r) for r in rows]
        self.tabs.setVisible(bool(tabs))
        copy = QPushButton("复制清单")
        copy.setToolTip("复制到剪贴板，可粘贴到 Excel 或发给填报单位")
        copy.setEnabled(bool(self._lines))
        copy.clicked.connect(self._on_copy)
        buttons = QDialogButtonBox()
        if action_text:
            self.action_button = buttons.addButton(action_text, QDialogButtonBox.ButtonRole.AcceptRole)
            close = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            self.action_button = None
            close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(not action_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        vbox(self.banner, *([self.summary] if summary else []), (self.tabs, 1), hbox(copy, None, buttons),
             parent=self)

    def rows(self, tab: int = 0) -> list[tuple]:
        m = self.models[tab]
        return [m.row_values(r) for r in range(m.rowCount())]

    @Slot()
    def _on_copy(self) -> None:
        QApplication.clipboard().setText("\n".join(self._lines))
