"""Small dialogs of the 整改 page: 生成整改通知 (deadline in working days, shown as it changes),
修改通知日期/期限, and manual 复核 of one item. Each saves through app.core.followup.rectify itself."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout

from app.core.followup import rectify
from app.core.registry.validation import BadValue, date as parse_date
from app.core.followup.workdays import calendar_note, load_calendar

from .. import style
from ..widgets.date_edit import DateEdit
from .dialog_parts import CoreDialog, ErrorLine, ok_cancel


class CreateNoticesDialog(CoreDialog):
    """通知日期 + 整改期限 (working days) → the deadline, computed on the official calendar."""

    created = Signal(object)         # rectify.CreateResult
    done_signal, refusal = "created", "未生成"

    def __init__(self, db, round_id: int, today: str, calendar=None, parent=None):
        super().__init__(parent)
        self._db, self._round_id = db, round_id
        self._calendar = calendar or load_calendar()
        self.setWindowTitle("生成整改通知")
        self.issued = DateEdit()
        self.issued.setText(today)
        self.days = QSpinBox()
        self.days.setRange(1, 120)
        self.days.setSuffix(" 个工作日")
        self.days.setValue(rectify.deadline_workdays(db))
        self.remember = QCheckBox("设为默认整改期限")
        self.deadline = QLabel()
        self.deadline.setStyleSheet("font-weight: bold;")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(style.WARNING)
        self.error = ErrorLine()
        form = QFormLayout()
        form.addRow("通知日期", self.issued)
        form.addRow("整改期限", self.days)
        form.addRow("", self.remember)
        form.addRow("整改截止日期", self.deadline)
        layout = QVBoxLayout(self)
        layout.addWidget(style.caption("为本轮中已确认、尚未下发的问题，按主办单位各生成一份整改通知；"
                                       "已有通知的单位，新问题并入原通知（日期不变）。"))
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, "生成"))
        self.issued.textChanged.connect(self._update_deadline)
        self.days.valueChanged.connect(self._update_deadline)
        self._update_deadline()

    def computed_deadline(self) -> str | None:
        try:
            issued = parse_date(self.issued.text(), required=True)
        except BadValue:
            return None
        return self._calendar.add_workdays(issued, self.days.value()).isoformat()

    @Slot()
    def _update_deadline(self) -> None:
        deadline = self.computed_deadline()
        if deadline is None:
            self.deadline.setText("（请填写正确的通知日期）")
            self.note.setVisible(False)
            return
        self.deadline.setText(f"{deadline}（通知日期后第 {self.days.value()} 个工作日，节假日和调休已计入）")
        note = calendar_note(self._calendar.unconfirmed_years(self.issued.text(), deadline))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def save(self) -> rectify.CreateResult:
        if self.remember.isChecked():
            rectify.set_deadline_workdays(self._db, self.days.value())
        return rectify.create_notices(self._db, self._round_id, issued_on=self.issued.text(),
                                      days=self.days.value(), calendar=self._calendar)


class NoticeDatesDialog(CoreDialog):
    """Correct a notice's 通知日期 / 整改期限 by hand."""

    saved = Signal(int)

    def __init__(self, db, notice: rectify.Notice, parent=None):
        super().__init__(parent)
        self._db, self._notice = db, notice
        self.setWindowTitle(f"修改通知日期—{notice.unit_name}")
        self.issued = DateEdit()
        self.issued.setText(notice.issued_on)
        self.deadline = DateEdit()
        self.deadline.setText(notice.deadline)
        self.error = ErrorLine()
        form = QFormLayout()
        form.addRow("通知日期", self.issued)
        form.addRow("整改期限", self.deadline)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, "保存"))

    def save(self) -> int:
        rectify.set_notice_dates(self._db, self._notice.id, issued_on=self.issued.text(),
                                 deadline=self.deadline.text())
        return self._notice.id


class ManualRecheckDialog(CoreDialog):
    """人工复核 of one item: 已整改/未整改/无法访问 (or clear) with a note."""

    saved = Signal(object)           # the updated RectifyItem

    CLEAR = "（清除复核结果）"

    def __init__(self, db, item: rectify.RectifyItem, parent=None):
        super().__init__(parent)
        self._db, self._item = db, item
        self.setWindowTitle(f"人工复核—{item.target_name}")
        self.result = QComboBox()
        self.result.addItems(rectify.RECHECK_RESULTS + [self.CLEAR])
        if item.recheck_result in rectify.RECHECK_RESULTS:
            self.result.setCurrentText(item.recheck_result)
        self.note = QLineEdit(item.recheck_note if item.recheck_result else "")
        self.note.setPlaceholderText("如：已核对页面，错别字已更正")
        self.error = ErrorLine()
        what = QLabel(f"<b>{item.target_name}</b><br>{item.detail or item.indicator_id}")
        what.setWordWrap(True)
        form = QFormLayout()
        form.addRow("复核结果", self.result)
        form.addRow("复核说明", self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        if item.recheck_url:
            layout.addWidget(style.caption(f"链接：{item.recheck_url}"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, "保存"))
        self.resize(480, self.sizeHint().height())

    def save(self) -> rectify.RectifyItem:
        result = self.result.currentText()
        return rectify.record_recheck(self._db, self._item.id, "" if result == self.CLEAR else result,
                                      self.note.text())
