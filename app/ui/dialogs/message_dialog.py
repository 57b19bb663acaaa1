"""Add or edit one “我为政府网站找错” message; the core validates, the dialog shows its reasons."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout

from app.core.followup import messages as M

from .. import style
from ..widgets.name_combo import NameCombo
from .dialog_parts import CoreDialog, ErrorLine, ok_cancel

STATES = ["", "办理中", "已办结"]
VALID = [("（未核实）", ""), ("属实", "属实"), ("部分属实", "部分属实"), ("不属实", "不属实")]
TIME_HINT = "如 2025-10-09 14:30，可只填日期"


class MessageDialog(CoreDialog):
    saved = Signal(int)          # message id

    def __init__(self, db, message: M.Message | None = None, parent=None):
        super().__init__(parent)
        self._db, self._message = db, message
        self.setWindowTitle(f"编辑留言—{message.message_no}" if message else "登记留言")
        self.resize(560, 520)
        site_names = [n for (n,) in db.conn.execute("SELECT name FROM sites ORDER BY id")]
        self.fields: dict[str, object] = {
            "message_no": QLineEdit(),
            "site_name": NameCombo(site_names, placeholder="从名录中选择或输入"),
            "site_code": QLineEdit(),
            "submitted_at": QLineEdit(),
            "problem_type": QLineEdit(),
            "description": QPlainTextEdit(),
            "forwarded_at": QLineEdit(),
            "state": QComboBox(),
            "answered_at": QLineEdit(),
            "is_valid": QComboBox(),
        }
        f = self.fields
        f["site_code"].setPlaceholderText("填写后按标识码匹配名录网站")
        for key in ("submitted_at", "forwarded_at", "answered_at"):
            f[key].setPlaceholderText(TIME_HINT)
        f["state"].setEditable(True)
        f["state"].addItems(STATES)
        for label, value in VALID:
            f["is_valid"].addItem(label, value)
        f["description"].setMaximumHeight(90)
        form = QFormLayout()
        for key, widget in f.items():
            form.addRow(M.LABELS[key] + (" *" if key in ("message_no", "submitted_at") else ""), widget)
        self.error = ErrorLine()
        note = style.caption(f"办理期限按转办时间（未转办按提交时间）后第 {M.deadline_workdays(db)} 个工作日计算；"
                             "有答复时间即为办结。")
        note.setWordWrap(True)
        buttons = ok_cancel(self, "保存")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        if message is not None:
            self._fill(message)

    def _fill(self, m: M.Message) -> None:
        f = self.fields
        f["message_no"].setText(m.message_no)
        f["site_name"].setText(m.site_name)
        f["site_code"].setText(m.site_code)
        f["submitted_at"].setText(m.submitted_at)
        f["problem_type"].setText(m.problem_type)
        f["description"].setPlainText(m.description)
        f["forwarded_at"].setText(m.forwarded_at or "")
        f["state"].setCurrentText(m.state)
        f["answered_at"].setText(m.answered_at or "")
        valid = {1: "属实", 0: "不属实"}.get(m.is_valid, "")
        f["is_valid"].setCurrentIndex(max(f["is_valid"].findData(valid), 0))

    def values(self) -> dict:
        out = {}
        for key, w in self.fields.items():
            if isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText().strip()
            elif key == "is_valid":
                out[key] = w.currentData() or ""
            elif isinstance(w, QComboBox) and not isinstance(w, NameCombo):
                out[key] = w.currentText().strip()
            else:
                out[key] = w.text().strip()
        m = self._message
        if m is not None and out["site_name"] != m.site_name and out["site_code"] == m.site_code:
            out["site_code"] = ""         # another site chosen by name: the old code must not win
        return out

    def save(self) -> int:
        raw = self.values()
        if self._message is None:
            return M.add_message(self._db, raw)
        M.edit_message(self._db, self._message.id, raw)
        return self._message.id
