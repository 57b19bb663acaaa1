"""The 可用性监测 page: start/stop the availability monitor in a worker while the app is open, the
live state of every monitored site, and the selected site's week as a day-by-day chart (probes
and failures per day against the 20-a-day line)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QSplitter, QVBoxLayout, QWidget,
)

from app.core.checks import availability
from app.core.checks.base import CheckContext
from app.core.crawl import probe_store
from app.core.crawl.monitor import MonitorOptions
from app.core.crawl.monitor_task import format_span
from app.core.errors import GovInspectError
from app.core.registry.validation import BadValue, date as parse_date

from .. import style
from ..monitor_workers import MonitorWorker, SiteStatesWorker
from ..table_models.monitor_model import COLUMNS, MonitorTableModel
from ..table_models.records_model import SearchProxy
from ..widgets.charts import BarChart, Series
from ..widgets.date_edit import DateEdit
from . import PageContext
from .page_parts import (
    EmptyStack, MessageLine, PageJobs, heading, page_button, record_table, restore_layout, save_layout,
)

INTERVALS = (10, 15, 20, 30, 60)            # minutes; 72 or more would leave days short of 20 probes
WEEKDAYS = "一二三四五六日"
OK_COLOR, FAIL_COLOR = "#34a853", "#d93025"


class MonitorPage(QWidget):
    cycle_finished = Signal(object)          # CycleSummary
    monitor_stopped = Signal(object)         # MonitorSummary, or None when the monitor failed
    states_loaded = Signal()

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(parent)
        self._ctx, self._db = ctx, ctx.db
        self._jobs = PageJobs(self)
        self._worker: MonitorWorker | None = None
        self._states_worker: SiteStatesWorker | None = None
        self._reload_again = False
        self.worker_clock = None             # tests inject a clock and a sleep for the monitor
        self.worker_sleep = None

        self.interval = QComboBox()
        for m in INTERVALS:
            self.interval.addItem(f"{m} 分钟（每天 {24 * 60 // m} 次）", m * 60)
        self.interval.setCurrentIndex(INTERVALS.index(30))
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 120)
        self.timeout.setDecimals(0)
        self.timeout.setValue(15)
        self.timeout.setSuffix(" 秒")
        self.timeout.setToolTip("超过这么多秒仍未打开首页即计为一次失败（国办要求 15 秒）")
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(16)
        self.concurrency.setToolTip("同时拨测的网站数")
        self.only_selected = QCheckBox("只监测表中选中的网站")
        self.start_button = QPushButton("开始监测")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_monitor)
        self.stop_button = QPushButton("停止")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_monitor)
        self.retention = QSpinBox()
        self.retention.setRange(0, 3650)
        self.retention.setSpecialValueText("永久")
        self.retention.setSuffix(" 天")
        self.retention.setToolTip("拨测记录保留天数（0 为永久保留；至少 14 天）；监测时每小时清理一次更早的记录")
        self.retention.setValue(probe_store.retention_days(self._db))
        self.retention.editingFinished.connect(self._on_retention_edited)
        bar = QHBoxLayout()
        for label, w in (("间隔", self.interval), ("超时", self.timeout), ("并发", self.concurrency)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
            bar.addSpacing(6)
        bar.addWidget(self.only_selected)
        bar.addSpacing(6)
        bar.addWidget(self.start_button)
        bar.addWidget(self.stop_button)
        bar.addStretch(1)
        bar.addWidget(QLabel("记录保留"))
        bar.addWidget(self.retention)
        self.state_label = QLabel("未在监测")
        self.state_label.setStyleSheet(style.HINT)
        self.message = MessageLine()

        self.week_end = DateEdit()
        self.week_end.setText(dt.date.today().isoformat())
        self.week_end.setMaximumWidth(190)
        self.week_end.line.editingFinished.connect(self.reload)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索网站名称、标识码、错误…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_changed)
        find = QHBoxLayout()
        find.addWidget(QLabel("监测周截至"))
        find.addWidget(self.week_end)
        find.addSpacing(10)
        find.addWidget(self.search, 1)

        self.model = MonitorTableModel(self)
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = record_table(self.proxy, COLUMNS, selection=QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.chart = BarChart()
        self.chart.set_empty_text("选择一个网站，查看监测周每天的拨测与失败次数")
        self.chart.setMinimumHeight(200)
        self.chart.bar_clicked.connect(self._on_day_clicked)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.content = EmptyStack(self.splitter)
        self.content.add_state("no_sites", "名录中还没有运行中的网站。\n先在“网站”中导入网站名录（或点 文件 → 载入示例名录），"
                               "再点“开始监测”：每隔一段时间拨测一次首页，一周的记录决定站点是否无法访问。",
                               page_button(self, "去网站名录", "sites"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 6)           # as page_column() pages
        layout.addLayout(heading("可用性监测", "按间隔拨测网站首页，记录每次能否在规定时间内打开：站点无法访问的依据"))
        layout.addLayout(bar)
        layout.addWidget(self.state_label)
        layout.addWidget(self.message)
        layout.addLayout(find)
        layout.addWidget(self.content, 1)
        hint = style.caption("一周（监测时间点前 7 天）每天至少拨测 20 次方可判定；失败（15 秒内未打开）占比达到 5% 为"
                             "单项否决。关闭程序即停止监测；程序未打开时可用“monitor install”注册计划任务。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._loaded = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded:                 # first shown: the page sits in its window by now
            self._loaded = True
            self.reload()

    # --- data ----------------------------------------------------------------------------------
    def week(self) -> tuple[dt.date, dt.date]:
        """The monitoring week shown: the 7 days ending at the chosen day (today when unreadable)."""
        try:
            day = parse_date(self.week_end.text())
        except BadValue:
            day = None
        end = dt.date.fromisoformat(day) if day else dt.date.today()
        return availability.window(end, availability.DEFAULTS_UNREACHABLE["monitor_days"])

    @Slot()
    def reload(self) -> None:
        """Reload the table on a worker (a second request while one runs is remembered)."""
        if self._states_worker is not None:
            self._reload_again = True
            return
        start, end = self.week()
        worker = SiteStatesWorker(self._ctx.db_path, start, end, self.timeout.value())
        worker.finished.connect(self._on_states_loaded)
        worker.failed.connect(self._on_states_failed)
        self._states_worker = worker
        self._jobs.start(worker)

    @Slot(object)
    def _on_states_loaded(self, states) -> None:
        self._states_worker = None
        current = self._current_site_id()
        selected = self.selected_codes()
        start, end = self.week()
        self.model.set_states(states, (start.isoformat(), end.isoformat()))
        self.content.show_state(None if states else "no_sites")
        self._select(current, selected)
        self._refresh_chart()
        self.states_loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    @Slot(str)
    def _on_states_failed(self, message: str) -> None:
        self._states_worker = None
        self.message.show_message(f"读取拨测记录失败：{message}", "error")

    def _select(self, site_id: int | None, codes: list[str]) -> None:
        sel = self.view.selectionModel()
        for code in codes:
            for row, s in enumerate(self.model.records):
                if s.code == code:
                    index = self.proxy.mapFromSource(self.model.index(row, 0))
                    sel.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        row = self.model.row_of_site(site_id) if site_id is not None else None
        if row is not None:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            sel.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _current_site_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.record(self.proxy.mapToSource(index).row()).site_id

    def selected_codes(self) -> list[str]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.record(r).code for r in rows]

    def select_site(self, code: str) -> None:
        for row, s in enumerate(self.model.records):
            if s.code == code:
                self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
                return

    # --- chart -----------------------------------------------------------------------------------
    @Slot()
    def _on_current_changed(self, *_args) -> None:
        self._refresh_chart()

    def _refresh_chart(self) -> None:
        site_id = self._current_site_id()
        if site_id is None:
            self.chart.set_title("")
            self.chart.clear()
            return
        state = self.model.record(self.model.row_of_site(site_id))
        start, end = self.week()
        ctx = CheckContext(as_of=end, site={})
        counts = probe_store.day_counts(self._db, start, end, self.timeout.value(),
                                        availability.DEFAULTS_SLOW["slow_seconds"], site_ids=[site_id])
        week = availability.judge(counts.get(site_id, []), ctx)
        cats = [f"{d.day.month}/{d.day.day}\n周{WEEKDAYS[d.day.weekday()]}" for d in week.days]
        self.chart.set_data(cats, [Series("成功", tuple(d.probes - d.failed for d in week.days), OK_COLOR),
                                   Series("失败", tuple(d.failed for d in week.days), FAIL_COLOR)], stacked=True)
        self.chart.set_reference_line(week.need, "每天至少")
        share = "" if week.share is None else f"（{float(week.share) * 100:.2f}%）"
        self.chart.set_title(f"{state.name}：{start.isoformat()} 至 {end.isoformat()} 拨测 {week.probes} 次，"
                             f"失败 {week.failed} 次{share}，判定：{week.verdict}")
        self.chart.setToolTip(week.note())
        self.chart_week = week

    @Slot(int)
    def _on_day_clicked(self, index: int) -> None:
        """The failures of one day of the selected site, in the message line."""
        site_id = self._current_site_id()
        week = getattr(self, "chart_week", None)
        if site_id is None or week is None or not 0 <= index < len(week.days):
            return
        day = week.days[index].day
        rows = self._db.conn.execute(
            "SELECT substr(at, 12, 5), error FROM probes WHERE site_id = ? AND at >= ? AND at < ? "
            "AND (ok = 0 OR seconds IS NULL OR seconds >= ?) ORDER BY at",
            (site_id, day.isoformat(), (day + dt.timedelta(days=1)).isoformat(), self.timeout.value())).fetchall()
        d = week.days[index]
        head = f"{day.month}月{day.day}日：拨测 {d.probes} 次，失败 {d.failed} 次"
        tail = "；".join(f"{t} {e or '失败'}" for t, e in rows[:8]) + ("…" if len(rows) > 8 else "")
        self.message.show_message(f"{head}{'：' + tail if tail else ''}", "warning" if rows else "ok")

    # --- the monitor --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    def options(self) -> MonitorOptions:
        return MonitorOptions(interval=float(self.interval.currentData()), timeout=self.timeout.value(),
                              concurrency=self.concurrency.value())

    @Slot()
    def start_monitor(self) -> None:
        if self._worker is not None:
            return
        codes = self.selected_codes() if self.only_selected.isChecked() else None
        if self.only_selected.isChecked() and not codes:
            self.message.show_message("请先在表中选中要监测的网站，或取消“只监测表中选中的网站”。", "warning")
            return
        if not codes and not self.model.records:
            self.message.show_message("名录中没有运行中的网站可以监测。", "warning")
            return
        worker = MonitorWorker(self._ctx.db_path, self.options(), codes, self.worker_clock, self.worker_sleep)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self._set_running(True)
        n = len(codes) if codes else len(self.model.records)
        self.message.show_message(f"已开始监测 {n} 个网站，每{format_span(self.options().interval)}一轮。", "ok", 8000)
        self._jobs.start(worker)

    @Slot()
    def stop_monitor(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.stop_button.setEnabled(False)
            self.state_label.setText("正在停止…")

    def _set_running(self, running: bool) -> None:
        for w in (self.interval, self.timeout, self.concurrency, self.only_selected, self.start_button):
            w.setEnabled(not running)
        self.stop_button.setEnabled(running)
        if not running:
            self.state_label.setText("未在监测")

    @Slot(object)
    def _on_progress(self, p) -> None:
        if p.results:
            changed = self.model.apply_results(p.results)
            if self._current_site_id() in changed:
                self._refresh_chart()
        if p.state == "probing":
            self.state_label.setText(f"监测中：第 {p.cycle} 轮拨测 {p.done}/{p.total}，失败 {p.failed}")
        elif p.state == "waiting" and p.next_at:
            nxt = dt.datetime.fromtimestamp(p.next_at).strftime("%H:%M:%S")
            skipped = f"（已跳过 {p.skipped} 轮）" if p.skipped else ""
            self.state_label.setText(f"监测中：已完成 {p.cycle} 轮，下一轮 {nxt}{skipped}")
        elif p.state == "cycle_done" and p.summary is not None:
            if self.isVisible():
                self.reload()
            self.cycle_finished.emit(p.summary)

    @Slot(object)
    def _on_finished(self, summary) -> None:
        self._worker = None
        self._set_running(False)
        self.message.show_message(f"监测已停止：共 {summary.cycles} 轮，拨测 {summary.probes} 次，失败 {summary.failed} 次。",
                                  "ok", 15000)
        if self.isVisible():                 # not when the window closed (and stopped the monitor)
            self.reload()
        self.monitor_stopped.emit(summary)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._worker = None
        self._set_running(False)
        self.message.show_message(message, "error")
        self.monitor_stopped.emit(None)

    # --- misc ------------------------------------------------------------------------------------
    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)

    @Slot()
    def _on_retention_edited(self) -> None:
        days = self.retention.value()
        if days == probe_store.retention_days(self._db):
            return
        try:
            probe_store.set_retention_days(self._db, days)
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            self.retention.setValue(probe_store.retention_days(self._db))
            return
        self.message.show_message("已保存拨测记录保留天数。" if days else "拨测记录将永久保留。", "ok", 5000)

    def _layout(self) -> dict:
        return {"splitter": self.splitter, "header": self.view.horizontalHeader()}

    def save_state(self, settings) -> None:
        save_layout(settings, "monitor", self._layout())
        settings.setValue("monitor/interval", self.interval.currentData())
        settings.setValue("monitor/timeout", self.timeout.value())
        settings.setValue("monitor/concurrency", self.concurrency.value())

    def restore_state(self, settings) -> None:
        restore_layout(settings, "monitor", self._layout())
        at = self.interval.findData(int(settings.value("monitor/interval", 1800) or 1800))
        if at >= 0:
            self.interval.setCurrentIndex(at)
        self.timeout.setValue(float(settings.value("monitor/timeout", 15) or 15))
        self.concurrency.setValue(int(settings.value("monitor/concurrency", 16) or 16))
