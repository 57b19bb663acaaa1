"""The 名录规范 page: run the registry hygiene rules (on a worker), a report grouped by rule,
a jump from an issue to its record on the 网站/新媒体 page, and 写入检查轮次 (findings in a round)."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QLineEdit, QMessageBox, QPushButton

from app.core.followup import hygiene
from app.core.followup.hygiene import RULES

from .. import style
from ..dialogs.problems_dialog import PROBLEM_HEADERS, ProblemListDialog, problem_rows
from ..parts import button, hbox, panel, search_field, splitter
from ..review_workers import HygieneFindingsWorker, HygieneWorker
from ..table_models.records_model import Column, RecordsTableModel, SearchProxy
from ..widgets.date_edit import DateEdit
from ..widgets.round_combo import RoundCombo
from . import PageContext
from .page_parts import EmptyStack, MessageLine, Page, page_column, record_table, show_dialog

FILE_FILTER = "表格 (*.xlsx *.xlsm *.csv);;所有文件 (*)"
TYPE_ZH = {"site": "网站", "account": "新媒体"}
ALL = "__all__"
_PROBLEM = QColor("#c5221f")

RULE_COLUMNS = (
    Column("检查规则", lambda r: r[1], width=210),
    Column("问题数", lambda r: str(r[2]), lambda r: r[2], width=56, centered=True),
)
ISSUE_COLUMNS = (
    Column("规则", lambda i: i.rule_name, width=140),
    Column("名称", lambda i: i.name, width=140),
    Column("平台", lambda i: i.platform or TYPE_ZH.get(i.target_type, ""), width=80),
    Column("主办单位（主体）", lambda i: i.unit_name, width=160),
    Column("问题说明", lambda i: i.detail, width=420),
    Column("地区", lambda i: i.region_name, width=70),
    Column("依据", lambda i: i.evidence, width=140),
)


class IssueProxy(SearchProxy):
    """Search plus the rule chosen on the left."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rule: str | None = None

    def set_rule(self, rule: str | None) -> None:
        rule = None if rule in (None, ALL) else rule
        if rule != self._rule:
            self.beginFilterChange()
            self._rule = rule
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self._rule is not None and self.sourceModel().record(source_row).rule != self._rule:
            return False
        return super().filterAcceptsRow(source_row, source_parent)


class RulesModel(RecordsTableModel):
    def foreground(self, record, column: int):
        if column == 1 and record[2]:
            return _PROBLEM
        return None


class HygienePage(Page):
    report_ready = Signal(object)        # HygieneReport (file problems or issues)
    findings_recorded = Signal(object)   # HygieneFindings
    job_failed = Signal(str)
    layout_key = "hygiene"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self.report: hygiene.HygieneReport | None = None
        self.problems_dialog: ProblemListDialog | None = None
        self.details_box: QMessageBox | None = None

        self.as_of = DateEdit()
        self.as_of.setText(dt.date.today().isoformat())
        self.as_of.setMaximumWidth(190)
        self.discovered = QLineEdit()
        self.discovered.setPlaceholderText("可选：监测发现的账号清单（平台、账号名称、账号ID、主体）")
        self.discovered.setClearButtonEnabled(True)
        self.monitoring = QLineEdit()
        self.monitoring.setPlaceholderText("可选：监测数据（最近发布时间），用于“注销后仍在发布”")
        self.monitoring.setClearButtonEnabled(True)
        browse_d = QPushButton("浏览…")
        browse_d.clicked.connect(lambda: self._browse(self.discovered, "选择账号发现清单"))
        browse_m = QPushButton("浏览…")
        browse_m.clicked.connect(lambda: self._browse(self.monitoring, "选择监测数据"))
        self.run_button = QPushButton("运行检查")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_check)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.addWidget(QLabel("检查日期"), 0, 0)
        grid.addWidget(self.as_of, 0, 1)
        grid.addWidget(QLabel("发现清单"), 0, 2)
        grid.addWidget(self.discovered, 0, 3)
        grid.addWidget(browse_d, 0, 4)
        grid.addWidget(self.run_button, 0, 5)
        grid.addWidget(QLabel("监测数据"), 1, 2)
        grid.addWidget(self.monitoring, 1, 3)
        grid.addWidget(browse_m, 1, 4)
        grid.setColumnStretch(3, 1)
        self.message = MessageLine()

        self.rules_model = RulesModel(RULE_COLUMNS, self, id_of=lambda r: r[0])
        self.rules_view = record_table(self.rules_model, RULE_COLUMNS, sortable=False, stretch_column=0)
        self.rules_view.selectionModel().currentRowChanged.connect(self._on_rule_changed)
        self.rules_view.setMinimumWidth(240)
        self.issue_model = RecordsTableModel(ISSUE_COLUMNS, self, id_of=lambda i: (i.rule, i.target_type, i.key))
        self.issue_proxy = IssueProxy(self)
        self.issue_proxy.setSourceModel(self.issue_model)
        self.issue_view = record_table(self.issue_proxy, ISSUE_COLUMNS)
        self.issue_view.doubleClicked.connect(self._on_issue_double_clicked)
        self.issue_view.setToolTip("双击转到名录中的该记录")
        self.search = search_field("在结果中搜索…", self._on_search_changed)
        self.issue_title = QLabel()
        self.issue_title.setStyleSheet("font-weight: bold;")
        hint = style.caption("双击一行转到“网站”或“新媒体”页中的该记录；名录中没有的账号显示详情。")
        hint.setWordWrap(True)
        right = panel(hbox(self.issue_title, None, (self.search, 1)), (self.issue_view, 1), hint)
        self.splitter = splitter(self.rules_view, right, stretch=(0, 1), sizes=[290, 810])

        self.round_combo = RoundCombo(self._db)
        self.record_button = button("写入检查轮次", self.record_into_round,
                                    "把本轮检查对象上的问题记为“待审核”问题；再次写入会更新，已消失的会撤回")
        self.record_button.setEnabled(False)
        note = style.caption("问题作为“待审核”记入所选轮次（来源：自动），在“审核评分”中确认。")
        note.setWordWrap(True)
        bottom = hbox(QLabel("写入检查轮次"), self.round_combo, self.record_button, (note, 1))

        self.content = EmptyStack(self.splitter)
        self.content.add_state("not_run", "还没有检查名录。\n点“运行检查”按检查日期检查名录：同一平台多个账号、未备案开设、"
                               "注销后仍在发布、账号主体与主办单位不一致等。\n有监测平台导出的账号清单或发布数据时，先在上方选好文件。",
                               button("运行检查", self.run_check))
        self.content.show_state("not_run")
        page_column(self, "名录规范", "同一平台多账号、未备案开设、关停后仍在发布等名录问题",
                    grid, self.message, (self.content, 1), bottom)
        self._show_rules([])

    # --- running --------------------------------------------------------------------------------------
    def _browse(self, edit: QLineEdit, title: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, title, "", FILE_FILTER)
        if path:
            edit.setText(path)

    def reload(self) -> None:
        self.round_combo.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.round_combo.reload()

    @Slot()
    def run_check(self) -> None:
        discovered = self.discovered.text().strip()
        monitoring = self.monitoring.text().strip()
        worker = HygieneWorker(self._ctx.db_path, self.as_of.text() or None,
                               Path(discovered) if discovered else None, Path(monitoring) if monitoring else None)
        self._jobs.start(worker, self._on_report, self._on_job_failed, busy=self.run_button, note="正在检查名录…")

    @Slot(object)
    def _on_report(self, report) -> None:
        if report.problems:
            self.message.show_message(f"文件中有 {len(report.problems)} 处问题，未进行检查。", "error")
            self._open_dialog(ProblemListDialog(
                "名录规范检查", f"<b>发现清单或监测数据中有 {len(report.problems)} 处问题，未进行检查。</b><br>"
                "请按下表在源文件中逐项更正并保存，再运行检查。", False,
                [("问题", PROBLEM_HEADERS, problem_rows(report.problems))], parent=self))
        else:
            self.show_report(report)
        self.report_ready.emit(report)

    def show_report(self, report: hygiene.HygieneReport) -> None:
        self.report = report
        self.content.show_state(None)
        groups = report.by_rule()
        self.issue_model.set_records([i for rule in groups for i in groups[rule]])
        self._show_rules([(rule, RULES.get(rule, rule), len(items)) for rule, items in groups.items()])
        self.record_button.setEnabled(not report.problems and self.round_combo.round_id() is not None)
        found = f"，其中发现清单 {report.discovered_rows} 个账号" if report.discovered_rows else ""
        self.message.show_message(f"检查日期 {report.as_of}：共发现 {len(report.issues)} 个名录问题{found}。",
                                  "warning" if report.issues else "ok")

    def _show_rules(self, rows: list[tuple]) -> None:
        total = sum(r[2] for r in rows)
        self.rules_model.set_records([(ALL, "全部问题", total)] + rows)
        self.rules_view.selectionModel().setCurrentIndex(
            self.rules_model.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_title()

    def rule_counts(self) -> dict[str, int]:
        return {r[1]: r[2] for r in self.rules_model.records}

    @Slot(QModelIndex, QModelIndex)
    def _on_rule_changed(self, current, _previous) -> None:
        if current.isValid():
            rule = self.rules_model.record(current.row())[0]
            self.issue_proxy.set_rule(rule)
            self.issue_view.setColumnHidden(0, rule != ALL)      # the rule is the title then
            self._update_title()

    def select_rule(self, rule: str) -> None:
        row = self.rules_model.row_of_id(rule)
        if row is not None:
            self.rules_view.selectRow(row)

    def _update_title(self) -> None:
        index = self.rules_view.currentIndex()
        name = self.rules_model.record(index.row())[1] if index.isValid() else "全部问题"
        if self.report is None:
            self.issue_title.setText("尚未运行检查")
        else:
            self.issue_title.setText(f"{name}：{self.issue_proxy.rowCount()} 条")

    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.issue_proxy.set_search(text)
        self._update_title()

    # --- jumping to the record -----------------------------------------------------------------------
    @Slot(QModelIndex)
    def _on_issue_double_clicked(self, index) -> None:
        self.open_issue(self.issue_model.record(self.issue_proxy.mapToSource(index).row()))

    def open_issue(self, issue: hygiene.HygieneIssue) -> bool:
        """Show the record on the 网站/新媒体 page when the main window offers that; else details."""
        window = self.window()
        key = "sites" if issue.target_type == "site" else "accounts"
        pages = getattr(window, "pages", {})
        page = pages.get(key) if isinstance(pages, dict) else None
        if issue.record_id is not None and hasattr(window, "show_page") and hasattr(page, "select_id"):
            window.show_page(key)
            page.select_id(issue.record_id)
            if page.selected_id() != issue.record_id and hasattr(page, "search"):
                page.search.clear()             # a search there may hide the record
                page.select_id(issue.record_id)
            if page.selected_id() == issue.record_id:
                return True
        self._show_details(issue)
        return False

    def _show_details(self, issue: hygiene.HygieneIssue) -> None:
        e = html.escape
        lines = [f"<b>{e(issue.rule_name)}</b>", f"{TYPE_ZH.get(issue.target_type, '')}：{e(issue.name)}"
                 + (f"（{e(issue.platform)}）" if issue.platform else "")]
        if issue.unit_name:
            lines.append(f"主办单位（主体）：{e(issue.unit_name)}")
        lines.append(e(issue.detail))
        if issue.evidence:
            lines.append(f"依据：{e(issue.evidence)}")
        if issue.record_id is None:
            lines.append("<span style='color:#5f6368'>名录中没有该账号；核实后可在“新媒体”页新增，或要求主办单位关停。</span>")
        box = QMessageBox(QMessageBox.Icon.Information, "名录问题详情", "<br>".join(lines),
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        show_dialog(self, "details_box", box)

    # --- findings in a round -------------------------------------------------------------------------
    @Slot()
    def record_into_round(self) -> None:
        rid = self.round_combo.round_id()
        if self.report is None or rid is None:
            return
        worker = HygieneFindingsWorker(self._ctx.db_path, rid, self.report)
        self._jobs.start(worker, self._on_findings_recorded, self._on_job_failed, busy=self.record_button,
                         note="正在写入检查轮次…")

    @Slot(object)
    def _on_findings_recorded(self, result) -> None:
        name = self.round_combo.currentText()
        self.message.show_message(
            f"已写入 {name}：新增 {len(result.added)} 个、更新 {len(result.updated)} 个、撤回 {len(result.withdrawn)} 个问题"
            + (f"；{len(result.skipped)} 条未写入（见清单）。" if result.skipped else "。"),
            "warning" if result.skipped else "ok")
        if result.skipped:
            rows = [(i.rule_name, i.name, i.unit_name, reason) for i, reason in result.skipped]
            self._open_dialog(ProblemListDialog(
                "写入检查轮次", f"<b>{len(result.skipped)} 条名录问题未写入该轮次。</b>"
                "不在本轮检查对象中的记录不会写入；指标体系中没有对应指标的问题保留在报告中。", True,
                [("未写入", ("规则", "名称", "主办单位", "原因"), rows)], parent=self))
        self.findings_recorded.emit(result)

    def _open_dialog(self, dialog: ProblemListDialog) -> None:
        show_dialog(self, "problems_dialog", dialog, forget=True)

    @Slot(str)
    def _on_job_failed(self, text: str) -> None:
        self.record_button.setEnabled(self.report is not None)
        self.message.show_message(text, "error")
        self.job_failed.emit(text)

    def _layout(self) -> dict:
        return {"splitter": self.splitter, "header": self.issue_view.horizontalHeader()}
