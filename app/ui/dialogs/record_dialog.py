"""Add/edit dialog for a site or account, generated from fields.FIELDS with inline validation."""
from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget,
)

from app.core.registry import registry, vocab
from app.core.errors import GovInspectError, ValidationError
from app.core.registry.fields import FIELDS, Field, clean_record

from .. import style
from ..widgets.date_edit import DateEdit
from ..widgets.name_combo import NameCombo
from .dialog_parts import with_footer

KIND_NOUN = {"site": "网站", "account": "新媒体账号"}
NAME_KEYS = ("region", "host_unit", "supervisor_unit")

# Layout of the form. A "grid" section lays out people as 姓名/电话/邮箱 columns.
# Fields not listed here land in a final "其他" section, so new fields still appear.
SECTIONS = {
    "site": [
        ("form", "基本信息", ("name", "site_code", "url", "category", "level", "region",
                          "host_unit", "supervisor_unit", "is_portal", "has_external_service")),
        ("form", "运行状态", ("status", "status_date", "opened_on")),
        ("form", "备案信息", ("icp", "psb")),
        ("grid", "负责人与联系人", (("负责人", "manager_name", "manager_phone", None),
                              ("联系人1", "contact1_name", "contact1_phone", "contact1_email"),
                              ("联系人2", "contact2_name", "contact2_phone", "contact2_email"),
                              ("联系人3", "contact3_name", "contact3_phone", "contact3_email"))),
        ("form", "备注", ("notes",)),
    ],
    "account": [
        ("form", "基本信息", ("name", "platform", "account_id", "home_url", "certified_owner",
                          "region", "host_unit", "filed")),
        ("form", "运行状态", ("status", "status_date", "opened_on")),
        ("form", "备注", ("notes",)),
    ],
}
# Sections placed in the right-hand column (the dialog is wide rather than tall).
RIGHT_COLUMN = {"site": {"运行状态", "备案信息", "负责人与联系人", "备注"}, "account": {"运行状态", "备注"}}

CHOICES = {
    "category": (vocab.SITE_CATEGORIES, "请选择网站类别"),
    "platform": (vocab.PLATFORMS, "请选择平台"),
    "site_status": (vocab.SITE_STATUSES, ""),
    "account_status": (vocab.ACCOUNT_STATUSES, ""),
}
FLAG_DEFAULTS = {"has_external_service": True, "filed": True, "is_portal": False}
LEVEL_AUTO = "（按网站类别）"


def unit_names(db) -> list[str]:
    # TODO: use a core registry.unit_names(db) once it exists (core request in the GUI report).
    return [n for (n,) in db.conn.execute("SELECT name FROM units ORDER BY sort_order, id")]


class _FieldRow:
    """One field: its editor, its message label and whether the user has touched it."""

    def __init__(self, field: Field, editor: QWidget, message: QLabel):
        self.field, self.editor, self.message = field, editor, message
        self.touched = False

    def value(self):
        e = self.editor
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if isinstance(e, (NameCombo, DateEdit, QLineEdit)):
            return e.text()
        if isinstance(e, QComboBox):
            data = e.currentData()
            return data if data is not None else ""
        if isinstance(e, QPlainTextEdit):
            return e.toPlainText().strip()
        raise TypeError(type(e))

    def set_value(self, value) -> None:
        e = self.editor
        if isinstance(e, QCheckBox):
            e.setChecked(FLAG_DEFAULTS.get(self.field.key, False) if value is None else bool(value))
        elif isinstance(e, (NameCombo, DateEdit, QLineEdit)):
            e.setText("" if value is None else str(value))
        elif isinstance(e, QComboBox):
            value = value or ""
            at = e.findData(value)
            if at < 0 and value:          # a legacy value outside the vocabulary: keep it visible
                e.addItem(value, value)
                at = e.count() - 1
            e.setCurrentIndex(at)
        elif isinstance(e, QPlainTextEdit):
            e.setPlainText(value or "")

    def show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style.ERROR if kind == "error" else style.WARNING)
        self.message.setVisible(bool(text))


class RecordDialog(QDialog):
    """New record when ``record`` is None, else an edit of it. Saves itself on OK."""

    saved = Signal(int)          # record id

    def __init__(self, db, kind: str, record: dict | None = None, parent=None):
        super().__init__(parent)
        self._db, self.kind, self._record = db, kind, record
        self._loading = True
        self._show_all = record is not None    # an edit shows every problem at once
        self._extra_problems: dict[str, str] = {}
        noun = KIND_NOUN[kind]
        self.setWindowTitle(f"编辑{noun}—{record['name']}" if record else f"新增{noun}")
        self.rows: dict[str, _FieldRow] = {}
        regions = [r["name"] for r in registry.regions(db)]
        units = unit_names(db)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        left, right = QVBoxLayout(), QVBoxLayout()
        placed: set[str] = set()
        for section in SECTIONS[kind]:
            box = self._build_section(section, regions, units, placed)
            (right if section[1] in RIGHT_COLUMN[kind] else left).addWidget(box)
        rest = [f.key for f in FIELDS[kind] if f.key not in placed]
        if rest:
            right.addWidget(self._build_section(("form", "其他", tuple(rest)), regions, units, placed))
        left.addStretch(1)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        body = QWidget()
        body.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.summary, self.buttons, self.ok_button = with_footer(self, scroll, "保存")
        self.resize(1000 if kind == "site" else 820, 620 if kind == "site" else 500)

        if record:
            for key, row in self.rows.items():
                row.set_value(record.get(key))
        else:
            self.rows["status"].set_value("正常")
        self._loading = False
        self.validate()

    # --- building ----------------------------------------------------------------------
    def _build_section(self, section, regions, units, placed: set[str]) -> QGroupBox:
        style_name, title, content = section
        fields = {f.key: f for f in FIELDS[self.kind]}
        box = QGroupBox(title)
        if style_name == "grid":
            grid = QGridLayout(box)
            grid.setHorizontalSpacing(8)
            for c, head in enumerate(("", "姓名", "电话", "电子邮箱")):
                if head:
                    grid.addWidget(style.caption(head), 0, c)
            for r, (label, *keys) in enumerate(content, start=1):
                grid.addWidget(QLabel(label), r, 0, Qt.AlignmentFlag.AlignTop)
                for c, key in enumerate(keys, start=1):
                    if key in fields:
                        grid.addWidget(self._field_widget(fields[key], regions, units), r, c)
                        placed.add(key)
            grid.setColumnStretch(1, 2)
            grid.setColumnStretch(2, 3)
            grid.setColumnStretch(3, 4)
            return box
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key in content:
            if key not in fields:
                continue
            f = fields[key]
            label = QLabel(f.label + (style.REQUIRED_MARK if f.required else ""))
            form.addRow(label, self._field_widget(f, regions, units))
            placed.add(key)
        return box

    def _field_widget(self, f: Field, regions, units) -> QWidget:
        editor = self._make_editor(f, regions, units)
        editor.setObjectName(f.key)
        message = QLabel()
        message.setObjectName(f"{f.key}_message")
        message.setWordWrap(True)
        message.setVisible(False)
        holder = QWidget()
        v = QVBoxLayout(holder)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(editor)
        v.addWidget(message)
        self.rows[f.key] = _FieldRow(f, editor, message)
        return holder

    def _make_editor(self, f: Field, regions, units) -> QWidget:
        changed = functools.partial(self._on_field_changed, f.key)
        if f.key in NAME_KEYS:
            w = NameCombo(regions if f.key == "region" else units,
                          placeholder="选择或输入" + ("地区" if f.key == "region" else "单位全称"))
            w.editTextChanged.connect(changed)
            return w
        if f.kind in CHOICES:
            items, placeholder = CHOICES[f.kind]
            w = QComboBox()
            for item in items:
                w.addItem(item, item)
            w.setPlaceholderText(placeholder)
            w.setCurrentIndex(-1)
            w.currentIndexChanged.connect(changed)
            return w
        if f.kind == "level":
            w = QComboBox()
            w.addItem(LEVEL_AUTO, "")
            for item in vocab.LEVELS:
                w.addItem(item, item)
            w.currentIndexChanged.connect(changed)
            return w
        if f.kind == "flag":
            w = QCheckBox("是")
            w.setChecked(FLAG_DEFAULTS.get(f.key, False))
            w.toggled.connect(changed)
            return w
        if f.kind == "date":
            w = DateEdit()
            w.textChanged.connect(changed)
            return w
        if f.key == "notes":
            w = QPlainTextEdit()
            w.setFixedHeight(64)
            w.setTabChangesFocus(True)
            w.textChanged.connect(changed)
            return w
        w = QLineEdit()
        w.setClearButtonEnabled(True)
        w.setPlaceholderText(_PLACEHOLDERS.get(f.kind, ""))
        w.textChanged.connect(changed)
        return w

    # --- validation ----------------------------------------------------------------------
    def raw(self) -> dict:
        return {key: row.value() for key, row in self.rows.items()}

    @Slot()
    def _on_field_changed(self, key: str, *_args) -> None:
        if self._loading:
            return
        self.rows[key].touched = True
        self._extra_problems.pop(self.rows[key].field.label, None)
        if key == "category":
            self._follow_category()
        self.validate()

    def _follow_category(self) -> None:
        """Level and 门户 follow the category (the national categories fix both)."""
        category = self.rows["category"].value()
        if not category:
            return
        self._loading = True
        try:
            self.rows["level"].set_value(vocab.CATEGORY_LEVEL.get(category, ""))
            if self._record is None:
                self.rows["is_portal"].set_value(category in vocab.PORTAL_CATEGORIES)
        finally:
            self._loading = False

    def validate(self) -> bool:
        """Re-check every field; show messages on touched fields; enable 保存 when clean."""
        cleaned = clean_record(self.kind, self.raw())
        problems = {**cleaned.problems, **self._extra_problems}
        by_label = {row.field.label: row for row in self.rows.values()}
        for row in self.rows.values():
            label = row.field.label
            visible = self._show_all or row.touched
            if label in problems and visible:
                row.show_message(problems[label], "error")
            elif label in cleaned.warnings and visible:
                row.show_message(cleaned.warnings[label], "warning")
            else:
                row.show_message("", "error")
        loose = [f"{k}：{v}" for k, v in problems.items() if k not in by_label]
        if problems:
            names = "、".join(k for k in problems if k in by_label)
            text = f"还有 {len(problems)} 项需要填写或更正" + (f"：{names}" if names else "")
            if loose:
                text += "。" + "；".join(loose)
            shown = loose or any((self._show_all or by_label[k].touched) for k in problems if k in by_label)
            self.summary.setStyleSheet(style.ERROR if shown else style.HINT)
            self.summary.setText(text)
        elif cleaned.warnings:
            self.summary.setStyleSheet(style.WARNING)
            self.summary.setText("可以保存，但请留意黄色提示。")
        else:
            self.summary.setStyleSheet(style.HINT)
            self.summary.setText("带 * 的为必填项。")
        self.ok_button.setEnabled(not problems)
        return not problems

    # --- saving ------------------------------------------------------------------------------
    def accept(self) -> None:
        if not self.validate():
            self._show_all = True
            self.validate()
            return
        try:
            if self._record is None:
                record_id = registry.add_record(self._db, self.kind, self.raw())
            else:
                record_id = self._record["id"]
                registry.edit_record(self._db, self.kind, record_id, self.raw())
        except ValidationError as exc:
            self._extra_problems = dict(exc.problems)
            self._show_all = True
            self.validate()
            return
        except GovInspectError as exc:
            self.summary.setStyleSheet(style.ERROR)
            self.summary.setText(str(exc))
            return
        self.saved.emit(record_id)
        super().accept()


_PLACEHOLDERS = {
    "code": "10位数字，或 bm 加8位数字",
    "url": "如 https://www.example.gov.cn/",
    "url_optional": "可留空",
    "phone": "手机或座机",
    "email": "可留空",
}
