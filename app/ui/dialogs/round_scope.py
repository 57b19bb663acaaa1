"""The scope inputs of the 新建批次 dialog: 全量 / 比例 / 数量 per target type, and the census field
(names "、"-separated, as `round create --census-*` takes them, typed or picked from a checkable list
of the registry's 分组, 级别, 地区 and 网站类别 with the targets each takes)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QDialog, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QRadioButton, QSpinBox, QTreeView, QVBoxLayout, QWidget,
)

from app.core.rounds.sampling import census_terms

from .. import style
from .dialog_parts import ok_cancel

TERM_ROLE = Qt.ItemDataRole.UserRole + 1


class ScopeRow(QWidget):
    """全量 / 比例 x % / 数量 N for one target type."""

    changed = Signal()

    def __init__(self, unit: str = "个", parent=None):
        super().__init__(parent)
        self.all_button = QRadioButton("全量")
        self.sample_button = QRadioButton("比例")
        self.count_button = QRadioButton("数量")
        self.group = QButtonGroup(self)
        for b in (self.all_button, self.sample_button, self.count_button):
            self.group.addButton(b)
        self.all_button.setChecked(True)
        self.pct = QDoubleSpinBox()
        self.pct.setRange(0.1, 100)
        self.pct.setDecimals(1)
        self.pct.setSingleStep(5)
        self.pct.setValue(30)
        self.pct.setSuffix(" %")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 1_000_000)
        self.count_spin.setValue(50)
        self.count_spin.setSuffix(f" {unit}")
        self.count_spin.setToolTip("抽取的数量（有普查时，从普查以外的对象中抽取）")
        self.pct.setToolTip("抽取的比例（有普查时，按普查以外的对象计算；向上取整）")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.all_button, self.sample_button, self.pct, self.count_button, self.count_spin):
            layout.addWidget(w)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._on_toggled)
        self.pct.valueChanged.connect(self.changed)
        self.count_spin.valueChanged.connect(self.changed)
        self._on_toggled()

    @Slot()
    def _on_toggled(self, *_args) -> None:
        self.pct.setEnabled(self.sample_button.isChecked())
        self.count_spin.setEnabled(self.count_button.isChecked())
        if _args and not _args[1]:
            return                          # the button switched off: its partner's signal follows
        self.changed.emit()

    def percent(self) -> float | None:
        return self.pct.value() if self.sample_button.isChecked() else None

    def count(self) -> int | None:
        return self.count_spin.value() if self.count_button.isChecked() else None

    def set_percent(self, pct: float | None) -> None:
        if pct is None:
            self.all_button.setChecked(True)
        else:
            self.pct.setValue(pct)
            self.sample_button.setChecked(True)

    def set_count(self, n: int) -> None:
        self.count_spin.setValue(n)
        self.count_button.setChecked(True)


class CensusPicker(QDialog):
    """A checkable list of what a census can name, grouped by 分组/级别/地区/网站类别, with counts."""

    def __init__(self, noun: str, choices, chosen: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"选择普查的{noun}")
        self.model = QStandardItemModel(self)
        sections: dict[str, QStandardItem] = {}
        for c in choices:
            if c.what not in sections:
                head = QStandardItem(c.what)
                head.setEditable(False)
                head.setSelectable(False)
                sections[c.what] = head
                self.model.appendRow(head)
            item = QStandardItem(f"{c.term}　{c.count} 个")
            item.setData(c.term, TERM_ROLE)
            item.setEditable(False)
            item.setCheckable(True)
            item.setCheckState(Qt.CheckState.Checked if c.term in chosen else Qt.CheckState.Unchecked)
            sections[c.what].appendRow(item)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.expandAll()
        about = QLabel(f"勾选的名称下运行中的{noun}全部纳入（普查），其余再按“比例”或“数量”抽样。"
                       "一个对象符合任一名称即纳入；数字是截至监测时间点运行中的个数。")
        about.setWordWrap(True)
        about.setStyleSheet(style.HINT)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.view, 1)
        layout.addWidget(ok_cancel(self, "确定"))
        self.resize(380, 460)

    def _items(self):
        for r in range(self.model.rowCount()):
            head = self.model.item(r)
            for k in range(head.rowCount()):
                yield head.child(k)

    def set_checked(self, term: str, on: bool = True) -> bool:
        for item in self._items():
            if item.data(TERM_ROLE) == term:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return True
        return False

    def chosen(self) -> list[str]:
        return [item.data(TERM_ROLE) for item in self._items() if item.checkState() == Qt.CheckState.Checked]


class CensusField(QWidget):
    """普查: names "、"-separated (typed, or picked with 选择…); the picker lists the latest choices."""

    changed = Signal()

    def __init__(self, noun: str, example: str, parent=None):
        super().__init__(parent)
        self.noun = noun
        self.choices: list = []
        self.line = QLineEdit()
        self.line.setPlaceholderText(f"不普查；如“{example}”（顿号分隔）")
        self.line.setClearButtonEnabled(True)
        self.line.setToolTip("这些地区、地区分组、级别" + ("或网站类别" if noun == "网站" else "") +
                             f"下运行中的{noun}全部纳入，其余再抽样；与命令行 round create 的写法相同")
        self.pick_button = QPushButton("选择…")
        self.pick_button.setEnabled(False)
        self.pick_button.clicked.connect(self.pick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.pick_button)
        self.line.textChanged.connect(self.changed)

    def text(self) -> str:
        return "、".join(census_terms(self.line.text()))

    def set_choices(self, choices) -> None:
        self.choices = list(choices)
        self.pick_button.setEnabled(bool(self.choices))

    def unknown_terms(self) -> list[str]:
        """Names typed that take no running target (a typo, or nothing runs there)."""
        known = {c.term for c in self.choices}
        return [t for t in census_terms(self.line.text()) if t not in known]

    @Slot()
    def pick(self) -> CensusPicker:
        """Open the picker (window-modal); on OK the chosen names replace the listed ones."""
        picker = CensusPicker(self.noun, self.choices, census_terms(self.line.text()), self)
        picker.accepted.connect(self._on_picked)
        self._picker = picker
        picker.open()
        return picker

    @Slot()
    def _on_picked(self) -> None:
        chosen = self._picker.chosen()
        # Names typed that the list does not hold are kept: the preview says they take nothing.
        self.line.setText("、".join(chosen + self.unknown_terms()))
