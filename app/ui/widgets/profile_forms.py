"""The two detail forms of the 指标体系 page: an indicator's numbers and thresholds, and a scoring
rule's JSON value, each with its 待核对 marks, 确认数值 and 撤销 buttons."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTableView,
    QVBoxLayout,
)

from app.core.rounds import profiles as pf
from app.core.rounds.glossary import sources_text

from .. import style
from ..table_models.params_model import ParamsTableModel, value_text
from .indicator_tree import AMBER, UNVERIFIED, fmt_number

NUMBER_LABELS = (("points", "分值"), ("cap", "单项上限"), ("per_occurrence", "扣分标准(每次)"))


def unverified_mark() -> QLabel:
    label = QLabel(UNVERIFIED)
    label.setStyleSheet(f"color: {AMBER}; font-weight: bold;")
    label.setToolTip("此数值尚未对照正式文件核对")
    return label


def _hint(selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style.HINT)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_state(label: QLabel, verified: bool) -> None:
    label.setText("已核对" if verified else UNVERIFIED)
    label.setStyleSheet(style.OK if verified else f"color: {AMBER}; font-weight: bold;")


def _sources_text(sources) -> str:
    return f"依据：{sources_text(sources)}" if sources else "依据：未注明"


class _DetailForm(QGroupBox):
    """Title, key line, sources/notes and the 撤销 / 确认数值 row shared by both forms."""
    edited = Signal()
    confirm_requested = Signal()
    revert_requested = Signal()

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; color: #202124;")
        self.key_label = _hint(selectable=True)
        self.sources = _hint()
        self.notes = _hint(selectable=True)
        self.state = QLabel()
        self.confirm_button = QPushButton("确认数值")
        self.confirm_button.setToolTip("已对照正式文件核对：有修改则一并应用，并去掉“待核对”标记")
        self.confirm_button.clicked.connect(self.confirm_requested)
        self.revert_button = QPushButton("撤销")
        self.revert_button.setToolTip("放弃表单中尚未应用的修改")
        self.revert_button.clicked.connect(self.revert_requested)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.state, 1)
        self.buttons.addWidget(self.revert_button)
        self.buttons.addWidget(self.confirm_button)

    def _fill_common(self, title: str, key: str, node) -> None:
        self.title.setText(title)
        self.key_label.setText(key)
        self.sources.setText(_sources_text(node.sources))
        self.notes.setText(node.notes)
        self.notes.setVisible(bool(node.notes))
        _show_state(self.state, node.verified)

    def show_dirty(self, dirty: bool, verified: bool) -> None:
        self.confirm_button.setText("应用修改并确认" if dirty else ("已核对" if verified else "确认数值"))
        self.confirm_button.setEnabled(dirty or not verified)
        self.revert_button.setEnabled(dirty)


class ItemForm(_DetailForm):
    """An indicator's 分值 / 单项上限 / 每次, unit and thresholds."""

    def __init__(self, parent=None):
        super().__init__("指标", parent)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.number_edits: dict[str, QLineEdit] = {}
        self.number_marks: dict[str, QLabel] = {}
        for key, label in NUMBER_LABELS:
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText("空")
            edit.setMaximumWidth(120)
            edit.textEdited.connect(self.edited)
            mark = unverified_mark()
            row = QHBoxLayout()
            row.addWidget(edit)
            row.addWidget(mark)
            row.addStretch(1)
            form.addRow(label, row)
            self.number_edits[key], self.number_marks[key] = edit, mark
        self.unit_edit = QLineEdit()
        self.unit_edit.setMaximumWidth(120)
        self.unit_edit.setPlaceholderText("如 处、篇、次")
        self.unit_edit.textEdited.connect(self.edited)
        form.addRow("单位", self.unit_edit)
        self.params_model = ParamsTableModel(self)
        self.params_model.edited.connect(self.edited)
        self.params_view = QTableView()
        self.params_view.setModel(self.params_model)
        self.params_view.verticalHeader().setVisible(False)
        self.params_view.verticalHeader().setDefaultSectionSize(24)
        self.params_view.horizontalHeader().setStretchLastSection(True)
        self.params_view.setColumnWidth(0, 230)
        self.params_view.setMinimumHeight(90)
        self.params_mark = unverified_mark()
        add_param = QPushButton("添加阈值")
        add_param.clicked.connect(self.add_param)
        remove_param = QPushButton("删除阈值")
        remove_param.clicked.connect(self.remove_param)
        self.param_buttons = (add_param, remove_param)
        params_title = QHBoxLayout()
        params_title.addWidget(QLabel("阈值"))
        params_title.addWidget(self.params_mark)
        params_title.addStretch(1)
        params_row = QHBoxLayout()
        params_row.addStretch(1)
        params_row.addWidget(add_param)
        params_row.addWidget(remove_param)
        v = QVBoxLayout(self)
        v.addWidget(self.title)
        v.addWidget(self.key_label)
        v.addLayout(form)
        v.addLayout(params_title)
        v.addWidget(self.params_view, 1)
        v.addLayout(params_row)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e6e8eb;")
        v.addWidget(line)
        v.addWidget(self.sources)
        v.addWidget(self.notes)
        v.addLayout(self.buttons)

    def fill(self, item: pf.ProfileItem) -> None:
        self._fill_common(item.name, f"{item.id} · {pf.KIND_ZH.get(item.kind, item.kind)} · 第 {item.level} 层", item)
        for key, _label in NUMBER_LABELS:
            value = getattr(item, key)
            self.number_edits[key].setText(fmt_number(value))
            self.number_marks[key].setVisible(not item.verified and value is not None)
        self.unit_edit.setText(item.unit)
        self.params_model.set_params(item.params)
        self.params_mark.setVisible(not item.verified and bool(item.params))

    def changes(self, item: pf.ProfileItem) -> dict:
        """Form values that differ from ``item``; ValueError names a bad number."""
        changes = {}
        for key, label in NUMBER_LABELS:
            text = self.number_edits[key].text().strip()
            try:
                value = pf.parse_number(text) if text else None
            except ValueError:
                raise ValueError(f"{label}“{text}”不是数字") from None
            if value != getattr(item, key):
                changes[key] = value
        if self.unit_edit.text().strip() != item.unit:
            changes["unit"] = self.unit_edit.text().strip()
        params = self.params_model.params()
        if params != item.params:
            changes["params"] = params
        return changes

    @Slot()
    def add_param(self) -> None:
        index = self.params_model.add_row()
        self.params_view.setCurrentIndex(index)
        self.params_view.edit(index)

    @Slot()
    def remove_param(self) -> None:
        index = self.params_view.currentIndex()
        if index.isValid():
            self.params_model.remove_row(index.row())


class RuleForm(_DetailForm):
    """A scoring rule's value, edited as JSON."""

    def __init__(self, parent=None):
        super().__init__("评分规则", parent)
        self.value_edit = QPlainTextEdit()
        self.value_edit.setTabChangesFocus(True)
        self.value_edit.textChanged.connect(self.edited)
        self.mark = unverified_mark()
        value_row = QHBoxLayout()
        value_row.addWidget(QLabel("值（JSON）"))
        value_row.addWidget(self.mark)
        value_row.addStretch(1)
        v = QVBoxLayout(self)
        v.addWidget(self.title)
        v.addWidget(self.key_label)
        v.addLayout(value_row)
        v.addWidget(self.value_edit, 1)
        v.addWidget(self.sources)
        v.addWidget(self.notes)
        v.addLayout(self.buttons)

    @staticmethod
    def value_text(rule: pf.Rule) -> str:
        """The rule's value as the form shows it (indented JSON for lists and objects)."""
        return (json.dumps(rule.value, ensure_ascii=False, indent=1) if isinstance(rule.value, (dict, list))
                else value_text(rule.value)).strip()

    def fill(self, rule: pf.Rule) -> None:
        self._fill_common(pf.RULE_ZH.get(rule.key, rule.key), rule.key, rule)
        self.value_edit.setPlainText(self.value_text(rule))
        self.mark.setVisible(not rule.verified)

    def text(self) -> str:
        return self.value_edit.toPlainText().strip()
