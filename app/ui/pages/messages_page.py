"""The 找错留言 page: the message list with search, import (nothing written on error), entry and
editing, and the statistics of any period (按期办结率 on working days, per unit, overdue list).

Statistics run in the GUI thread (one query and date arithmetic); imports run on workers.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from app.core.followup import messages as M
from app.core.errors import GovInspectError
from app.core.followup.workdays import load_calendar

from .. import style
from ..dialogs.message_dialog import MessageDialog
from ..dialogs.problems_dialog import PROBLEM_HEADERS, ProblemListDialog, problem_rows
from ..parts import action, button, hbox, open_file, search_field, text_toolbar
from ..review_workers import MessagesApplyWorker, MessagesPlanWorker
from ..table_models.records_model import Column, RecordsTableModel, SearchProxy
from ..widgets.date_edit import DateEdit
from ..widgets.stat_card import StatCard
from . import PageContext
from .page_parts import EmptyStack, MessageLine, Page, page_column, record_table, show_dialog

IMPORT_FILTER = "留言导出表 (*.xlsx *.xlsm *.csv);;所有文件 (*)"
_VALID_ZH = {1: "属实", 0: "不属实"}


def _time(text: str | None) -> str:
    return (text or "")[:16]


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _days(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}"


MESSAGE_COLUMNS = (
    Column("留言编号", lambda m: m.message_no, width=110),
    Column("网站名称", lambda m: m.site_name, width=170),
    Column("主办单位", lambda m: m.unit_name or M.UNMATCHED_UNIT, width=170),
    Column("提交时间", lambda m: _time(m.submitted_at), width=124),
    Column("问题类型", lambda m: m.problem_type, width=90),
    Column("问题描述", lambda m: m.description, width=200),
    Column("转办时间", lambda m: _time(m.forwarded_at), width=124),
    Column("办理状态", lambda m: m.state, width=72),
    Column("答复时间", lambda m: _time(m.answered_at), width=124),
    Column("是否属实", lambda m: _VALID_ZH.get(m.is_valid, ""), width=64, centered=True),
)
UNIT_COLUMNS = (
    Column("主办单位", lambda u: u.unit_name, width=200),
    Column("受理", lambda u: str(u.stats.received), lambda u: u.stats.received, width=52, centered=True),
    Column("属实", lambda u: str(u.stats.valid), lambda u: u.stats.valid, width=52, centered=True),
    Column("办结", lambda u: str(u.stats.closed), lambda u: u.stats.closed, width=52, centered=True),
    Column("按期办结", lambda u: str(u.stats.closed_on_time), lambda u: u.stats.closed_on_time, width=70,
           centered=True),
    Column("按期办结率", lambda u: _pct(u.stats.on_time_rate), lambda u: u.stats.on_time_rate, width=84,
           centered=True),
    Column("平均办理时长（工作日）", lambda u: _days(u.stats.avg_workdays), lambda u: u.stats.avg_workdays,
           width=150, centered=True),
    Column("超期", lambda u: str(u.stats.overdue), lambda u: u.stats.overdue, width=52, centered=True),
)
OVERDUE_COLUMNS = (
    Column("留言编号", lambda o: o.message_no, width=100),
    Column("网站名称", lambda o: o.site_name, width=160),
    Column("主办单位", lambda o: o.unit_name, width=160),
    Column("提交时间", lambda o: _time(o.submitted_at), width=124),
    Column("转办时间", lambda o: _time(o.forwarded_at), width=124),
    Column("办理期限", lambda o: o.deadline, width=90),
    Column("答复时间", lambda o: _time(o.answered_at) or "未答复", width=124),
    Column("超期（工作日）", lambda o: str(o.late_workdays), lambda o: o.late_workdays, width=100, centered=True),
)
PERIODS = ["本年", "本季度", "上季度", "本月", "上月", "上一年"]


def period_of(choice: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates of a quick period choice around ``today``."""
    if choice == "本年":
        return dt.date(today.year, 1, 1), today
    if choice == "上一年":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if choice == "本月":
        return today.replace(day=1), today
    if choice == "上月":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if choice == "本季度":
        return q_start, today
    end = q_start - dt.timedelta(days=1)                   # 上季度
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


class MessagesPage(Page):
    plan_ready = Signal(object)          # MessagesImport planned (problems or not)
    imported = Signal(object)            # MessagesImport applied
    job_failed = Signal(str)
    layout_key = "messages"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._calendar = None
        self.today: dt.date | None = None     # tests fix "today" for the overdue rule
        self.report: M.MessageReport | None = None
        self.import_dialog: ProblemListDialog | None = None
        self.edit_dialog: MessageDialog | None = None
        self._pending_plan = None

        self.model = RecordsTableModel(MESSAGE_COLUMNS, self)
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.model)

        self.import_action = action(self, "导入留言…", self._on_import_clicked,
                                    "导入“我为政府网站找错”平台导出的留言表（按留言编号新增或更新）")
        self.add_action = action(self, "登记", self.add_message, "手工登记一条留言", QKeySequence.StandardKey.New)
        self.edit_action = action(self, "编辑", self.edit_selected, "编辑选中的留言（也可双击）")
        self.addAction(self.add_action)
        toolbar = text_toolbar(self.import_action, self.add_action, self.edit_action)
        self.search = search_field("搜索留言编号、网站、单位、内容…", self._on_search_changed, 240, 380)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(style.HINT)
        self.message = MessageLine()
        bar = hbox(toolbar, 8, (self.message, 1), self.count_label, (self.search, 1))

        self.view = record_table(self.proxy, MESSAGE_COLUMNS)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self._build_stats())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 380])
        self.splitter = splitter
        self.content = EmptyStack(splitter)
        self.content.add_state("no_messages", "还没有找错留言。\n导入“我为政府网站找错”平台导出的留言表（留言编号、网站、提交时间、"
                               "转办时间、办理状态、答复时间…），或逐条登记；之后这里统计按期办结率和超期留言。",
                               button("导入留言…", self._on_import_clicked), button("登记", self.add_message))

        page_column(self, "找错留言", "“我为政府网站找错”留言的登记、导入和按期办结统计", bar, (self.content, 1))
        self.reload()

    def _build_stats(self) -> QWidget:
        self.period_from = DateEdit()
        self.period_to = DateEdit()
        for w in (self.period_from, self.period_to):
            w.line.setPlaceholderText("如 2025-07-01")
            w.setMaximumWidth(190)
        self.quick = QComboBox()
        self.quick.addItem("快速选择…", None)
        for p in PERIODS:
            self.quick.addItem(p, p)
        self.quick.activated.connect(self._on_quick_period)
        self.stats_button = QPushButton("统计")
        self.stats_button.setDefault(True)
        self.stats_button.clicked.connect(self.refresh_stats)
        self.period_from.line.returnPressed.connect(self.refresh_stats)
        self.period_to.line.returnPressed.connect(self.refresh_stats)
        title = QLabel("统计")
        title.setStyleSheet("font-size: 11.5pt; font-weight: bold; color: #202124;")
        controls = QHBoxLayout()
        controls.addWidget(title)
        controls.addSpacing(12)
        controls.addWidget(QLabel("提交时间从"))
        controls.addWidget(self.period_from)
        controls.addWidget(QLabel("至"))
        controls.addWidget(self.period_to)
        controls.addWidget(self.quick)
        controls.addWidget(self.stats_button)
        controls.addStretch(1)
        self.rule_label = style.caption("")
        controls.addWidget(self.rule_label)

        self.cards = {
            "received": StatCard("受理", "提交时间在统计期内的留言"),
            "valid": StatCard("属实", "核实为属实（含部分属实）的留言"),
            "closed": StatCard("办结", "有答复时间的留言"),
            "closed_on_time": StatCard("按期办结", "在办理期限当天或之前答复"),
            "on_time_rate": StatCard("按期办结率", "按期办结 ÷ 受理，四舍五入保留两位小数"),
            "avg_workdays": StatCard("平均办理时长（工作日）", "从转办（未转办按提交）到答复的工作日数的平均值"),
            "overdue": StatCard("超期", "答复晚于期限，或期限已过仍未答复"),
        }
        cards = QGridLayout()
        cards.setSpacing(8)
        for i, card in enumerate(self.cards.values()):
            cards.addWidget(card, 0, i)
        self.calendar_note = QLabel()
        self.calendar_note.setWordWrap(True)
        self.calendar_note.setStyleSheet(style.WARNING)
        self.calendar_note.setVisible(False)

        self.unit_model = RecordsTableModel(UNIT_COLUMNS, self, id_of=lambda u: u.unit_name)
        self.unit_proxy = SearchProxy(self)
        self.unit_proxy.setSourceModel(self.unit_model)
        self.unit_view = record_table(self.unit_proxy, UNIT_COLUMNS, stretch_column=0)
        self.overdue_model = RecordsTableModel(OVERDUE_COLUMNS, self, id_of=lambda o: o.message_no)
        self.overdue_proxy = SearchProxy(self)
        self.overdue_proxy.setSourceModel(self.overdue_model)
        self.overdue_view = record_table(self.overdue_proxy, OVERDUE_COLUMNS, stretch_column=1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.unit_view, "按主办单位")
        self.tabs.addTab(self.overdue_view, "超期留言")

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(cards)
        layout.addWidget(self.calendar_note)
        layout.addWidget(self.tabs, 1)
        return panel

    # --- data --------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the messages (after imports and edits) and refresh the statistics."""
        msgs = M.list_messages(self._db)
        self.model.set_records(msgs)
        self.content.show_state(None if msgs else "no_messages")
        if not self.period_from.text() and not self.period_to.text():
            self._default_period(msgs)
        self._update_counts()
        self._update_actions()
        self.refresh_stats()

    def _default_period(self, msgs: list[M.Message]) -> None:
        """The year of the latest message (or this year), up to today."""
        today = self._today()
        last = max((m.submitted_at[:10] for m in msgs), default=None)
        year = int(last[:4]) if last else today.year
        end = min(dt.date(year, 12, 31), today) if year <= today.year else dt.date(year, 12, 31)
        self.period_from.setText(f"{year}-01-01")
        self.period_to.setText(end.isoformat())

    def _today(self) -> dt.date:
        return self.today or dt.date.today()

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        text = f"留言 {total} 条"
        if self.proxy.is_filtered:
            text += f"（显示 {self.proxy.rowCount()}）"
        self.count_label.setText(text)

    @Slot()
    def refresh_stats(self) -> None:
        if self._calendar is None:
            self._calendar = load_calendar()
        try:
            report = M.message_stats(self._db, self.period_from.text(), self.period_to.text(),
                                     today=self._today(), calendar=self._calendar)
        except GovInspectError as exc:
            self.message.show_message(f"无法统计：{exc}", "error")
            return
        self.show_report(report)

    def show_period(self, start: str, end: str, overdue: bool = False) -> None:
        """Statistics of the messages submitted from ``start`` to ``end`` (the 总览's 找错 figures),
        with the overdue list in front when ``overdue``."""
        self.period_from.setText(start)
        self.period_to.setText(end)
        self.refresh_stats()
        self.tabs.setCurrentWidget(self.overdue_view if overdue else self.unit_view)

    def show_report(self, report: M.MessageReport) -> None:
        self.report = report
        s = report.overall
        c = self.cards
        c["received"].set_value(str(s.received))
        c["valid"].set_value(str(s.valid))
        c["closed"].set_value(str(s.closed))
        c["closed_on_time"].set_value(str(s.closed_on_time))
        rate_colour = None
        if s.on_time_rate is not None:
            rate_colour = "#137333" if s.on_time_rate >= 100 else ("#a15c00" if s.on_time_rate >= 90 else "#c5221f")
        c["on_time_rate"].set_value(_pct(s.on_time_rate), rate_colour)
        c["avg_workdays"].set_value(_days(s.avg_workdays))
        c["overdue"].set_value(str(s.overdue), "#c5221f" if s.overdue else None)
        self.rule_label.setText(f"办理期限：转办后第 {report.deadline_workdays} 个工作日　统计日 {report.today}")
        note = report.calendar_note
        self.calendar_note.setText(note)
        self.calendar_note.setVisible(bool(note))
        self.unit_model.set_records(report.by_unit)
        self.overdue_model.set_records(report.overdue)
        self.tabs.setTabText(0, f"按主办单位（{len(report.by_unit)}）")
        self.tabs.setTabText(1, f"超期留言（{len(report.overdue)}）")

    @Slot(int)
    def _on_quick_period(self, index: int) -> None:
        choice = self.quick.itemData(index)
        if choice is None:
            return
        start, end = period_of(choice, self._today())
        self.period_from.setText(start.isoformat())
        self.period_to.setText(end.isoformat())
        self.quick.setCurrentIndex(0)
        self.refresh_stats()

    # --- list actions -----------------------------------------------------------------------------
    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_counts()

    def selected_message(self) -> M.Message | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    @Slot()
    def _update_actions(self) -> None:
        self.edit_action.setEnabled(self.selected_message() is not None)

    @Slot()
    def _on_double_clicked(self) -> None:
        self.edit_selected()

    @Slot()
    def add_message(self) -> MessageDialog:
        return self._open_dialog(MessageDialog(self._db, None, self))

    @Slot()
    def edit_selected(self) -> MessageDialog | None:
        m = self.selected_message()
        return self._open_dialog(MessageDialog(self._db, m, self)) if m else None

    def _open_dialog(self, dialog: MessageDialog) -> MessageDialog:
        return show_dialog(self, "edit_dialog", dialog, saved=self._on_message_saved)

    @Slot(int)
    def _on_message_saved(self, message_id: int) -> None:
        self.edit_dialog = None
        self.reload()
        row = self.model.row_of_id(message_id)
        if row is not None:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                self.view.selectRow(index.row())
                self.view.scrollTo(index)
        self.message.show_message("留言已保存。", "ok", 5000)

    # --- import --------------------------------------------------------------------------------------
    @Slot()
    def _on_import_clicked(self) -> None:
        if path := open_file(self, "导入找错留言", IMPORT_FILTER):
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Step 1: read and check the file on a worker (nothing is written)."""
        self._jobs.start(MessagesPlanWorker(self._ctx.db_path, path), self._on_plan_ready, self._on_job_failed,
                         busy=self.import_action, note=f"正在读取并检查“{Path(path).name}”…")

    @Slot(object)
    def _on_plan_ready(self, plan) -> None:
        warnings = ("提醒", PROBLEM_HEADERS, problem_rows(plan.warnings))
        if plan.problems:
            self.message.show_message(plan.summary(), "error")
            dialog = ProblemListDialog(
                "导入找错留言", f"<b>发现 {len(plan.problems)} 处错误，不能导入。没有写入任何留言。</b><br>"
                "请按下表在源文件中逐项更正并保存，再重新导入。", False,
                [("错误", PROBLEM_HEADERS, problem_rows(plan.problems))] + ([warnings] if plan.warnings else []),
                parent=self)
        else:
            note = f"另有 {len(plan.warnings)} 条提醒，不影响导入。" if plan.warnings else ""
            self.message.clear()
            dialog = ProblemListDialog(
                "导入找错留言", f"<b>全部 {len(plan.sheet.rows)} 行均通过检查：新增 {len(plan.new)} 条，"
                f"变更 {len(plan.changed)} 条，未变 {len(plan.unchanged)} 条。</b>{note}"
                "点“导入”一次性写入。", True, [warnings] if plan.warnings else [], action_text="导入", parent=self)
            dialog.accepted.connect(self._on_import_confirmed)
        self._pending_plan = plan
        show_dialog(self, "import_dialog", dialog, forget=True)
        self.plan_ready.emit(plan)

    @Slot()
    def _on_import_confirmed(self) -> None:
        """Step 2: write the checked plan on a worker (all or nothing)."""
        self._jobs.start(MessagesApplyWorker(self._ctx.db_path, self._pending_plan), self._on_imported,
                         self._on_job_failed, busy=self.import_action, note="正在写入留言…")

    @Slot(object)
    def _on_imported(self, result) -> None:
        self.reload()
        self.message.show_message(result.summary(), "ok")
        self.imported.emit(result)

    @Slot(str)
    def _on_job_failed(self, text: str) -> None:
        self.message.show_message(f"导入未完成，留言保持原样。{text}", "error")
        self.job_failed.emit(text)

    def _layout(self) -> dict:
        return {"header": self.view.horizontalHeader(), "splitter": self.splitter}
