"""A form generated from an options dataclass: one input per field that has a Chinese label.

Labels come from the field metadata ("label", and "choices" {value: text} for a combo box),
or from ``labels`` for dataclasses without metadata. "标题（空：自动）" shows as the label
"标题" with "空：自动" as the placeholder. A list whose None and empty value mean different
things names them ("unset", "empty", "some") and gets a mode box beside its text. Nested
dataclasses are left to their own form.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton,
    QSpinBox, QWidget,
)

from app.core.registry.validation import BadValue, date as parse_date

from .date_edit import DateEdit

_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_PAIRS_SPLIT = re.compile(r"[;；\n]+")


def _split_label(label: str) -> tuple[str, str]:
    """'标题（空：自动）' -> ('标题', '空：自动')."""
    m = re.fullmatch(r"(.*?)（(.*)）", label)
    return (m.group(1), m.group(2)) if m else (label, "")


def _base_type(tp):
    """X | None -> X; tuple[str, ...] -> tuple; dict[...] -> dict."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else str
    return typing.get_origin(tp) or tp


class OptionalList(QWidget):
    """A list that may also be unset: a mode box (unset / empty / some) and the names, "、"-separated."""

    changed = Signal()
    UNSET, EMPTY, SOME = "unset", "empty", "some"

    def __init__(self, meta, parent=None):
        super().__init__(parent)
        self.mode = QComboBox()
        for key in (self.UNSET, self.EMPTY, self.SOME):
            self.mode.addItem(meta[key], key)
        self.line = QLineEdit()
        self.line.setPlaceholderText("用顿号分隔")
        self.line.setClearButtonEnabled(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.line, 1)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self.line.textChanged.connect(self.changed)
        self._on_mode()

    @Slot()
    def _on_mode(self) -> None:
        self.line.setVisible(self.mode.currentData() == self.SOME)
        self.changed.emit()

    def set_items(self, items) -> None:
        self.line.setText("、".join(items or ()))
        mode = self.UNSET if items is None else (self.SOME if items else self.EMPTY)
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def items(self) -> tuple[str, ...] | None:
        mode = self.mode.currentData()
        if mode == self.UNSET:
            return None
        names = tuple(x.strip() for x in _LIST_SPLIT.split(self.line.text()) if x.strip())
        return names if mode == self.SOME else ()


class FileEdit(QWidget):
    """A file path typed or chosen (选择…); empty is allowed."""

    textChanged = Signal(str)

    def __init__(self, pattern: str, parent=None):
        super().__init__(parent)
        self.pattern = pattern
        self.line = QLineEdit()
        self.line.setClearButtonEnabled(True)
        self.line.textChanged.connect(self.textChanged)
        browse = QPushButton("选择…")
        browse.clicked.connect(self._on_browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(browse)

    @Slot()
    def _on_browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择文件", self.line.text(), self.pattern)
        if path:
            self.line.setText(path)

    def text(self) -> str:
        return self.line.text().strip()

    def setText(self, text: str) -> None:
        self.line.setText(text)


class OptionsForm(QWidget):
    """Edits one instance of ``cls``; value() returns a new instance (others fields kept)."""

    changed = Signal()

    def __init__(self, cls, value=None, labels: dict[str, str] | None = None,
                 only: tuple[str, ...] | None = None, parent=None):
        super().__init__(parent)
        self.cls = cls
        self._base = value if value is not None else cls()
        self.problems: dict[str, str] = {}
        hints = typing.get_type_hints(cls)
        self.inputs: dict[str, tuple[type, QWidget]] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        labels = labels or {}
        for f in dataclasses.fields(cls):
            if only is not None and f.name not in only:
                continue
            label = labels.get(f.name) or f.metadata.get("label")
            tp = _base_type(hints.get(f.name, str))
            if not label or dataclasses.is_dataclass(tp):
                continue
            widget = self._make(f, tp, label, getattr(self._base, f.name))
            if widget is None:
                continue
            self.inputs[f.name] = (tp, widget)
            if isinstance(widget, QCheckBox):
                layout.addRow(widget)
            else:
                layout.addRow(_split_label(label)[0], widget)

    def _make(self, f, tp, label: str, value) -> QWidget | None:
        text, hint = _split_label(label)
        choices = f.metadata.get("choices")
        if tp is bool:
            w = QCheckBox(label)
            w.setChecked(bool(value))
            w.toggled.connect(self._on_changed)
        elif choices:
            w = QComboBox()
            for key, caption in choices.items():
                w.addItem(caption, key)
            w.setCurrentIndex(max(0, w.findData(value)))
            w.currentIndexChanged.connect(self._on_changed)
        elif tp is int:
            w = QSpinBox()
            w.setRange(0, 100_000)
            w.setValue(int(value or 0))
            w.valueChanged.connect(self._on_changed)
        elif tp is float:
            w = QDoubleSpinBox()
            w.setRange(0, 1000)
            w.setDecimals(1)
            w.setValue(float(value or 0))
            w.valueChanged.connect(self._on_changed)
        elif tp in (tuple, list) and f.metadata.get("unset"):
            w = OptionalList(f.metadata)
            w.set_items(value)
            w.changed.connect(self._on_changed)
        elif tp is Path:
            w = FileEdit(f.metadata.get("pattern", "所有文件 (*)"))
            w.setText(str(value) if value else "")
            w.line.setPlaceholderText(hint)
            w.textChanged.connect(self._on_changed)
        elif tp is dt.date:
            w = DateEdit()
            w.setText(value.isoformat() if value else "")
            if hint:
                w.line.setPlaceholderText(hint)
            w.textChanged.connect(self._on_changed)
        elif tp in (str, tuple, list, dict):
            w = QLineEdit()
            if tp is str:
                w.setText(value or "")
            elif tp is dict:
                w.setText("；".join(f"{k}={v}" for k, v in (value or {}).items()))
                hint = "类别=标题；类别=标题" if not hint or "=" not in hint else hint
            else:
                w.setText("、".join(value or ()))
                hint = hint or "用顿号分隔"
            w.setPlaceholderText(hint)
            w.setClearButtonEnabled(True)
            w.textChanged.connect(self._on_changed)
        else:
            return None
        w.setToolTip(label)
        return w

    @Slot()
    def _on_changed(self) -> None:
        self.changed.emit()

    def widget(self, name: str) -> QWidget:
        return self.inputs[name][1]

    def set_value(self, value) -> None:
        """Show another instance (an export profile loaded from a file); emits changed once."""
        self._base = value
        for name, (tp, w) in self.inputs.items():
            v = getattr(value, name)
            w.blockSignals(True)
            try:
                if isinstance(w, QCheckBox):
                    w.setChecked(bool(v))
                elif isinstance(w, OptionalList):
                    w.set_items(v)
                elif isinstance(w, QComboBox):
                    w.setCurrentIndex(max(0, w.findData(v)))
                elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                    w.setValue(v or 0)
                elif isinstance(w, DateEdit):
                    w.setText(v.isoformat() if v else "")
                elif isinstance(w, FileEdit):
                    w.setText(str(v) if v else "")
                elif tp is dict:
                    w.setText("；".join(f"{k}={x}" for k, x in (v or {}).items()))
                elif tp in (tuple, list):
                    w.setText("、".join(v or ()))
                else:
                    w.setText(v or "")
            finally:
                w.blockSignals(False)
        self.changed.emit()

    def value(self):
        """A new instance from the inputs; unreadable inputs keep their old value (see problems)."""
        values, self.problems = {}, {}
        for name, (tp, w) in self.inputs.items():
            if isinstance(w, QCheckBox):
                values[name] = w.isChecked()
            elif isinstance(w, OptionalList):
                values[name] = w.items()
            elif isinstance(w, QComboBox):
                values[name] = w.currentData()
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                values[name] = w.value()
            elif isinstance(w, DateEdit):
                text = w.text()
                try:
                    day = parse_date(text) if text else None
                except BadValue as exc:
                    self.problems[name] = str(exc)
                    continue
                values[name] = dt.date.fromisoformat(day) if day else None
            elif isinstance(w, FileEdit):
                text = w.text()
                if text and not Path(text).expanduser().is_file():
                    self.problems[name] = f"找不到文件“{text}”"
                    continue
                values[name] = Path(text).expanduser() if text else None
            elif tp is dict:
                pairs = [p.split("=", 1) for p in _PAIRS_SPLIT.split(w.text().strip()) if "=" in p]
                values[name] = {k.strip(): v.strip() for k, v in pairs if k.strip()}
            elif tp in (tuple, list):
                items = tuple(x.strip() for x in _LIST_SPLIT.split(w.text()) if x.strip())
                values[name] = items or None
            else:
                values[name] = w.text().strip()
        return dataclasses.replace(self._base, **values)
