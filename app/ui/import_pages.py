"""The four pages of the import wizard; they show the wizard's current plan."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QButtonGroup, QComboBox, QFileDialog, QFrame, QGridLayout,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QRadioButton,
    QScrollArea, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from app.core.registry.fields import FIELDS, LABEL

from . import style
from .table_models.rows_model import RowsTableModel

SUFFIXES = {".xlsx", ".xlsm", ".csv"}
PREVIEW_ROWS = 20
IGNORE = "（忽略此列）"
FLAG_KEYS = {"is_portal", "has_external_service", "filed"}


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def shown_value(key: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if key in FLAG_KEYS:
        return "是" if value else "否"
    return str(value)


def make_table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class Busy(QWidget):
    """An indeterminate progress bar with a line of text; hidden when idle."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.label, 1)
        self.setVisible(False)

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(True)

    def stop(self) -> None:
        self.setVisible(False)


class Banner(QFrame):
    """A coloured box with the one sentence the user must read on a page."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.label)
        self.setVisible(False)

    def show_text(self, html: str, ok: bool) -> None:
        self.setObjectName("bannerOk" if ok else "banner")
        self.setStyleSheet(style.BANNER_OK if ok else style.BANNER_ERROR)
        self.label.setText(html)
        self.setVisible(True)

    def text(self) -> str:
        return self.label.text()


class _Step(QWizardPage):
    """A page of the import wizard (``self._w``), with its title and what it says under it."""

    def __init__(self, wizard, title: str, subtitle: str):
        super().__init__()
        self._w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)


# --- 1. file ---------------------------------------------------------------------------------------
class FilePage(_Step):
    def __init__(self, wizard):
        super().__init__(wizard, "选择要导入的名录文件",
                         "支持 Excel 工作簿（.xlsx）和 CSV（UTF-8 或 GBK 编码）。表头上方可以有标题行，程序会自动找到表头。")
        self.site_radio = QRadioButton("政府网站名录")
        self.account_radio = QRadioButton("政务新媒体名录")
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.site_radio)
        self.kind_group.addButton(self.account_radio)
        self.kind_group.buttonToggled.connect(self._on_kind_toggled)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("选择或粘贴文件路径")
        self.path_edit.textChanged.connect(self._on_path_changed)
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._on_browse)
        self.path_message = QLabel()
        self.path_message.setStyleSheet(style.ERROR)
        rules = QLabel(
            "导入规则：<ul>"
            "<li>网站按<b>网站标识码</b>匹配；新媒体按<b>平台 + 账号ID</b>匹配，没有账号ID时按平台 + 账号名称匹配。</li>"
            "<li>名录中已有的记录只更新有变化的项，<b>空单元格不会覆盖</b>已有内容。</li>"
            "<li>导入前会逐行检查并列出全部问题；只要有一处错误，就<b>不会写入任何数据</b>。</li></ul>")
        rules.setTextFormat(Qt.TextFormat.RichText)
        rules.setWordWrap(True)
        rules.setStyleSheet(style.HINT)
        kinds = QHBoxLayout()
        kinds.addWidget(QLabel("名录类型："))
        kinds.addWidget(self.site_radio)
        kinds.addWidget(self.account_radio)
        kinds.addStretch(1)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(kinds)
        layout.addSpacing(8)
        layout.addWidget(QLabel("文件："))
        layout.addLayout(path_row)
        layout.addWidget(self.path_message)
        layout.addSpacing(12)
        layout.addWidget(rules)
        layout.addStretch(1)

    def initializePage(self) -> None:
        (self.site_radio if self._w.kind == "site" else self.account_radio).setChecked(True)

    def set_path(self, path) -> None:
        self.path_edit.setText(str(path))

    def chosen_kind(self) -> str:
        return "account" if self.account_radio.isChecked() else "site"

    def _problem(self) -> str:
        text = self.path_edit.text().strip().strip('"')
        if not text:
            return ""
        path = Path(text)
        if path.suffix.lower() in (".xls", ".et", ".wps"):
            return "这是旧版 Excel/WPS 格式，请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        if path.suffix.lower() not in SUFFIXES:
            return "请选择 .xlsx 或 .csv 文件。"
        if not path.is_file():
            return "找不到这个文件。"
        return ""

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip()) and not self._problem()

    def validatePage(self) -> bool:
        if not self.isComplete():          # QWizard.next() does not check isComplete itself
            return False
        self._w.path = Path(self.path_edit.text().strip().strip('"'))
        self._w.set_kind(self.chosen_kind())
        return True

    @Slot()
    def _on_path_changed(self) -> None:
        self.path_message.setText(self._problem())
        self.completeChanged.emit()

    @Slot()
    def _on_kind_toggled(self) -> None:
        self._w.set_kind(self.chosen_kind())

    @Slot()
    def _on_browse(self) -> None:
        start = str(Path(self.path_edit.text()).parent) if self.path_edit.text() else ""
        path, _ = QFileDialog.getOpenFileName(self, "选择名录文件", start, "名录文件 (*.xlsx *.xlsm *.csv);;所有文件 (*)")
        if path:
            self.set_path(path)


# --- 2. mapping ------------------------------------------------------------------------------------
class MappingPage(_Step):
    def __init__(self, wizard):
        super().__init__(wizard, "核对列的对应关系",
                         "已按表头自动对应到名录字段。如有不对，请在“导入为”中调整；设为“忽略此列”的列不会导入。")
        self._sheet = None
        self.combos: list[QComboBox] = []
        self.busy = Busy()
        self.info = QLabel()
        self.info.setStyleSheet(style.HINT)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_holder)
        self.preview_model = RowsTableModel(parent=self)
        self.preview = make_table(self.preview_model)
        self.preview.horizontalHeader().setStretchLastSection(False)
        preview_box = QWidget()
        pv = QVBoxLayout(preview_box)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(QLabel(f"数据预览（前 {PREVIEW_ROWS} 行）"))
        pv.addWidget(self.preview)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(scroll)
        splitter.addWidget(preview_box)
        splitter.setSizes([260, 220])
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.info)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        wizard.plan_ready.connect(self._on_plan_ready)
        wizard.load_failed.connect(self._on_load_failed)

    def initializePage(self) -> None:
        self._clear()
        self.info.setText("")
        self.message.setText("")
        self.busy.start(f"正在读取“{self._w.path.name}”…")
        self._w.load_file()

    def isComplete(self) -> bool:
        return self._sheet is not None and self._w.pending != "load" and not self._duplicates()

    def validatePage(self) -> bool:
        return self.isComplete()

    def mapping(self) -> dict[int, str]:
        return {i: c.currentData() for i, c in enumerate(self.combos) if c.currentData()}

    def set_mapping(self, column: int, key: str | None) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(max(combo.findData(key or ""), 0))

    # --- showing a plan -------------------------------------------------------------------------
    @Slot()
    def _on_plan_ready(self) -> None:
        plan = self._w.plan
        if plan is not None and plan.sheet is not self._sheet:   # a (re)read file, not a re-plan
            self._show(plan)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        if self._w.currentPage() is self:
            self.busy.stop()
            self.message.setStyleSheet(style.ERROR)
            self.message.setText(f"无法读取文件：{message}\n请返回上一步选择其他文件。")
            self.completeChanged.emit()

    def _clear(self) -> None:
        self._sheet = None
        self.combos = []
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.preview_model.set_rows((), ())

    def _show(self, plan) -> None:
        self._clear()
        self.busy.stop()
        sheet = plan.sheet
        self._sheet = sheet
        self.info.setText(f"工作表“{sheet.sheet}”，表头在第 {sheet.header_row} 行，"
                          f"共 {len(sheet.rows)} 行数据，{len(sheet.headers)} 列。")
        for c, head in enumerate(("列", "表头", "导入为", "示例内容")):
            self.grid.addWidget(style.caption(head), 0, c)
        fields = FIELDS[self._w.kind]
        sample_rows = [cells for _, cells in sheet.rows[:PREVIEW_ROWS]]
        for i, header in enumerate(sheet.headers):
            sample = next((str(r[i]) for r in sample_rows if i < len(r) and r[i] not in (None, "")), "")
            combo = QComboBox()
            combo.addItem(IGNORE, "")
            for f in fields:
                combo.addItem(f.label + (" *" if f.required else ""), f.key)
            combo.setCurrentIndex(max(combo.findData(plan.mapping.get(i, "")), 0))
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            sample_label = QLabel(sample[:40])
            sample_label.setStyleSheet(style.HINT)
            self.grid.addWidget(QLabel(column_letter(i)), i + 1, 0)
            self.grid.addWidget(QLabel(header or "（无表头）"), i + 1, 1)
            self.grid.addWidget(combo, i + 1, 2)
            self.grid.addWidget(sample_label, i + 1, 3)
            self.combos.append(combo)
        self.grid.setColumnStretch(3, 1)
        self.grid.setRowStretch(len(sheet.headers) + 1, 1)
        self._refresh()

    @Slot()
    def _on_mapping_changed(self) -> None:
        self._refresh()

    def _duplicates(self) -> dict[str, list[int]]:
        used: dict[str, list[int]] = {}
        for i, key in self.mapping().items():
            used.setdefault(key, []).append(i)
        return {k: cols for k, cols in used.items() if len(cols) > 1}

    def _refresh(self) -> None:
        sheet = self._sheet
        if sheet is None:
            return
        mapping = self.mapping()
        labels = LABEL[self._w.kind]
        width = len(sheet.headers)
        headers = ["行号"] + [f"{column_letter(i)} {h}\n→ {labels[mapping[i]] if i in mapping else '忽略'}"
                              for i, h in enumerate(sheet.headers)]
        rows = [[number] + list(cells[:width]) + [None] * (width - len(cells))
                for number, cells in sheet.rows[:PREVIEW_ROWS]]
        muted = [0] + [i + 1 for i in range(width) if i not in mapping]
        self.preview_model.set_rows(headers, rows, muted)
        self.preview.setColumnWidth(0, 48)
        for i in range(1, len(headers)):
            self.preview.setColumnWidth(i, 130)
        duplicates = self._duplicates()
        missing = [f.label for f in FIELDS[self._w.kind] if f.required and f.key not in mapping.values()]
        if duplicates:
            text = "；".join(f"“{labels[k]}”同时对应了 {'、'.join(column_letter(c) for c in cols)} 列"
                            for k, cols in duplicates.items())
            self.message.setStyleSheet(style.ERROR)
            self.message.setText(text + "。每个字段只能对应一列，请调整后继续。")
        elif missing:
            self.message.setStyleSheet(style.WARNING)
            self.message.setText(f"以下必填字段没有对应的列：{'、'.join(missing)}。"
                                 "只更新已有记录时可以缺少，新增记录时会被报错。")
        else:
            self.message.setStyleSheet(style.OK)
            self.message.setText("所有必填字段都已找到对应的列。")
        self.completeChanged.emit()


# --- 3. report -------------------------------------------------------------------------------------
class ReportPage(_Step):
    def __init__(self, wizard):
        super().__init__(wizard, "检查结果",
                         "每一行都按名录规则检查过了。这一步只读文件，不会写入名录。")
        self.busy = Busy()
        self.banner = Banner()
        self.summary = QLabel()
        self.problems_model = RowsTableModel(parent=self)
        self.warnings_model = RowsTableModel(parent=self)
        self.tabs = QTabWidget()
        self.problems_view = make_table(self.problems_model)
        self.warnings_view = make_table(self.warnings_model)
        self.tabs.addTab(self.problems_view, "错误")
        self.tabs.addTab(self.warnings_view, "提醒")
        self.reread_button = QPushButton("重新读取文件")
        self.reread_button.setToolTip("在 Excel 中改好并保存文件后，点此重新检查")
        self.reread_button.clicked.connect(self._on_reread)
        self.copy_button = QPushButton("复制问题清单")
        self.copy_button.clicked.connect(self._on_copy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.reread_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        wizard.plan_ready.connect(self._on_plan_ready)
        wizard.load_failed.connect(self._on_load_failed)

    def initializePage(self) -> None:
        mapping = self._w.mapping_page.mapping()
        if self._w.plan is not None and self._w.plan.mapping == mapping:
            self._show(self._w.plan)
        else:
            self._start_busy("正在按新的列对应重新检查…")
            self._w.replan(mapping)

    def isComplete(self) -> bool:
        return self._w.pending is None and self._w.plan is not None and self._w.plan.ok

    def validatePage(self) -> bool:
        return self.isComplete()

    def _start_busy(self, text: str) -> None:
        self.banner.setVisible(False)
        self.busy.start(text)
        self.reread_button.setEnabled(False)
        self.completeChanged.emit()

    @Slot()
    def _on_reread(self) -> None:
        self._start_busy(f"正在重新读取“{self._w.path.name}”…")
        self._w.reload_file()

    @Slot()
    def _on_copy(self) -> None:
        plan = self._w.plan
        if plan is not None:
            lines = [str(p) for p in plan.problems] + [f"（提醒）{p}" for p in plan.warnings]
            QApplication.clipboard().setText("\n".join(lines))

    @Slot()
    def _on_plan_ready(self) -> None:
        if self._w.currentPage() is self:
            self._show(self._w.plan)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        if self._w.currentPage() is self:
            self.busy.stop()
            self.reread_button.setEnabled(True)
            self.banner.show_text(f"<b>无法读取文件。</b>{message}", ok=False)
            self.completeChanged.emit()

    def _show(self, plan) -> None:
        self.busy.stop()
        self.reread_button.setEnabled(True)
        rows = len(plan.sheet.rows)
        if plan.problems:
            self.banner.show_text(
                f"<b>发现 {len(plan.problems)} 处错误，不能导入。名录中没有写入任何数据。</b><br>"
                "请按下表在源文件中逐项更正并保存，再点“重新读取文件”；"
                "如果是列对应不对，可点“上一步”调整。", ok=False)
        else:
            note = f"另有 {len(plan.warnings)} 条提醒，不影响导入，请浏览确认。" if plan.warnings else ""
            self.banner.show_text(f"<b>全部 {rows} 行数据均通过检查。</b>{note}点“下一步”查看将要写入的变更。", ok=True)
        self.summary.setText("" if plan.problems else plan.summary())
        self.problems_model.set_rows(("行号", "字段", "问题"), _problem_rows(plan.problems))
        self.warnings_model.set_rows(("行号", "字段", "提醒"), _problem_rows(plan.warnings))
        for view in (self.problems_view, self.warnings_view):
            view.setColumnWidth(0, 70)
            view.setColumnWidth(1, 130)
        self.tabs.setTabText(0, f"错误（{len(plan.problems)}）")
        self.tabs.setTabText(1, f"提醒（{len(plan.warnings)}）")
        self.tabs.setCurrentIndex(0 if plan.problems or not plan.warnings else 1)
        self.copy_button.setEnabled(bool(plan.problems or plan.warnings))
        self.completeChanged.emit()


def _problem_rows(problems) -> list[tuple]:
    return [(p.row if p.row else "文件", p.field or "（整行）", p.reason) for p in problems]


# --- 4. diff ------------------------------------------------------------------------------------------
class DiffPage(_Step):
    def __init__(self, wizard):
        super().__init__(wizard, "确认将要写入的变更",
                         "点“开始导入”后一次性写入名录；任何一步失败都会整体撤销，不会留下半份数据。")
        self.setFinalPage(True)
        self.busy = Busy()
        self.banner = Banner()
        self.counts = QLabel()
        self.counts.setObjectName("pageTitle")
        self.changes_model = RowsTableModel(parent=self)
        self.new_model = RowsTableModel(parent=self)
        self.names_model = RowsTableModel(parent=self)
        self.tabs = QTabWidget()
        self.changes_view = make_table(self.changes_model)
        self.new_view = make_table(self.new_model)
        self.names_view = make_table(self.names_model)
        self.tabs.addTab(self.changes_view, "变更明细")
        self.tabs.addTab(self.new_view, "新增记录")
        self.tabs.addTab(self.names_view, "新建地区/单位")
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.busy)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        wizard.apply_failed.connect(self._on_apply_failed)

    def initializePage(self) -> None:
        plan = self._w.plan
        kind = plan.kind
        labels = LABEL[kind]
        self.busy.stop()
        self.banner.setVisible(False)
        self.counts.setText(f"新增 {len(plan.new)} 条 · 变更 {len(plan.changed)} 条 · 未变 {len(plan.unchanged)} 条")
        names = _row_names(plan)
        changes = []
        for row, _rid, old, new in plan.changed:
            for key, value in new.items():
                changes.append((row, names.get(row, ""), labels.get(key, key),
                                shown_value(key, old.get(key)), shown_value(key, value)))
        self.changes_model.set_rows(("行号", "名称", "字段", "原值", "新值"), changes)
        second = "site_code" if kind == "site" else "platform"
        self.new_model.set_rows(
            ("行号", labels["name"], labels[second], "地区", "主办单位"),
            [(row, v.get("name"), v.get(second), v.get("region"), v.get("host_unit")) for row, v in plan.new])
        self.names_model.set_rows(
            ("类型", "名称"),
            [("地区", n) for n in plan.new_regions] + [("单位", n) for n in plan.new_units])
        for view, widths in ((self.changes_view, (60, 220, 110, 200)), (self.new_view, (60, 240, 130, 100))):
            for col, width in enumerate(widths):
                view.setColumnWidth(col, width)
        self.names_view.setColumnWidth(0, 80)
        self.tabs.setTabText(0, f"变更明细（{len(plan.changed)} 条记录，{len(changes)} 项）")
        self.tabs.setTabText(1, f"新增记录（{len(plan.new)}）")
        self.tabs.setTabText(2, f"新建地区/单位（{len(plan.new_regions) + len(plan.new_units)}）")
        self.tabs.setCurrentIndex(0 if changes or not plan.new else 1)
        if not plan.new and not plan.changed:
            self.banner.show_text("文件中的记录与名录完全一致，没有需要写入的变更。", ok=True)

    def isComplete(self) -> bool:
        return self._w.pending is None and self._w.plan is not None and self._w.plan.ok

    def show_applying(self) -> None:
        self.busy.start("正在写入名录…")
        self.completeChanged.emit()
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self._w.button(which).setEnabled(False)

    @Slot(str)
    def _on_apply_failed(self, message: str) -> None:
        self.busy.stop()
        self.banner.show_text(f"<b>导入未完成，名录保持原样。</b>{message}", ok=False)
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self._w.button(which).setEnabled(True)
        self.completeChanged.emit()


def _row_names(plan) -> dict[int, str]:
    """Spreadsheet row number -> the name cell, to label changed records."""
    name_col = next((i for i, k in plan.mapping.items() if k == "name"), None)
    if name_col is None:
        return {}
    return {row: str(cells[name_col]) if name_col < len(cells) and cells[name_col] is not None else ""
            for row, cells in plan.sheet.rows}
