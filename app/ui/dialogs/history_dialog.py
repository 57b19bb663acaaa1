"""Status history of one record (开设, 关停, 恢复 … with their dates)."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout

from app.core.registry import registry

from .. import style
from ..table_models.rows_model import RowsTableModel

HEADERS = ("生效日期", "事件", "状态", "说明", "记录时间")


class HistoryDialog(QDialog):
    def __init__(self, db, kind: str, record: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"状态历史—{record['name']}")
        events = registry.history(db, kind, record["id"])
        rows = [(e["on_date"] or "（早于记录）", e["event"], e["status"], e["note"], e["created_at"])
                for e in events]
        self.model = RowsTableModel(HEADERS, rows, self)
        view = QTableView()
        view.setModel(self.model)
        view.verticalHeader().setVisible(False)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((100, 90, 90, 260)):
            view.setColumnWidth(col, width)
        self.view = view
        info = QLabel(f"共 {len(rows)} 条记录。名录中的记录从不删除，每次状态变化都留有日期。")
        info.setStyleSheet(style.HINT)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        self.resize(720, 360)
