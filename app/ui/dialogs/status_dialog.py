"""Change a record's running status (关停/注销/整合迁移/恢复 …) with a date and a note."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from app.core.registry import registry, vocab
from app.core.errors import GovInspectError, ValidationError
from app.core.registry.fields import clean_record

from .. import style
from ..widgets.date_edit import DateEdit
from .dialog_parts import ok_cancel

STATUSES = {"site": vocab.SITE_STATUSES, "account": vocab.ACCOUNT_STATUSES}
# What a running record is most often changed to.
USUAL_STOP = {"site": "关停", "account": "注销"}


class StatusDialog(QDialog):
    saved = Signal(int)

    def __init__(self, db, kind: str, record: dict, parent=None):
        super().__init__(parent)
        self._db, self.kind, self._record = db, kind, record
        current = record.get("status") or "正常"
        self.setWindowTitle(f"变更运行状态—{record['name']}")
        self.status = QComboBox()
        for s in STATUSES[kind]:
            self.status.addItem(s + ("（当前）" if s == current else ""), s)
        self.status.setCurrentIndex(self.status.findData("正常" if current != "正常" else USUAL_STOP[kind]))
        self.on_date = DateEdit()
        self.on_date.setText(dt.date.today().isoformat())
        self.on_date.line.setPlaceholderText("如 2025-08-14")
        self.note = QLineEdit()
        self.note.setPlaceholderText("可留空，如：已整合至市政府门户网站")
        self.message = QLabel()
        self.message.setWordWrap(True)
        info = QLabel(f"当前状态：{current}" + (f"（{record['status_date']}）" if record.get("status_date") else ""))
        info.setStyleSheet(style.HINT)
        form = QFormLayout()
        form.addRow("新状态", self.status)
        form.addRow("生效日期" + style.REQUIRED_MARK, self.on_date)
        form.addRow("说明", self.note)
        self.buttons = ok_cancel(self, "确定")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.status.currentIndexChanged.connect(self._validate)
        self.on_date.textChanged.connect(self._validate)
        self.resize(440, self.sizeHint().height())
        self._validate()

    def chosen_status(self) -> str:
        return self.status.currentData()

    @Slot()
    def _validate(self) -> bool:
        problem = ""
        if not self.on_date.text():
            problem = "请填写生效日期（记录不会被删除，只标记状态和日期）。"
        else:
            cleaned = clean_record(self.kind, {"status_date": self.on_date.text()}, partial=True)
            problem = "；".join(cleaned.problems.values())
        if not problem and self.chosen_status() == (self._record.get("status") or "正常"):
            problem = "新状态与当前状态相同。"
        self.message.setStyleSheet(style.ERROR)
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if not self._validate():
            return
        try:
            registry.change_status(self._db, self.kind, self._record["id"], self.chosen_status(),
                                   self.on_date.text(), self.note.text().strip())
        except ValidationError as exc:
            self.message.setText("；".join(f"{k}：{v}" for k, v in exc.problems.items()))
            self.message.setVisible(True)
            return
        except GovInspectError as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
            return
        self.saved.emit(self._record["id"])
        super().accept()
