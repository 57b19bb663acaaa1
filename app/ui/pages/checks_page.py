"""The 自动检查 page: run a round's automated checks in a worker, with live progress, pause,
cancel and resume, a per-site results table and a capped log.

GUI thread only; the run itself is a CheckWorker (run_workers.py) on its own QThread.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDoubleSpinBox, QFrame, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar,
    QPushButton, QSpinBox, QTableView, QWidget,
)

from app.core.crawl import jobs
from app.core.rounds import rounds
from app.core.crawl.check_overview import findings_by_kind, kind_label, site_overview, unfinished_run
from app.core.checks import ocr
from app.core.crawl.run_options import clock, duration, ocr_line

from ..parts import button, hbox, panel, splitter, vbox
from ..run_workers import CheckOutcome, CheckProgress, CheckWorker
from ..style import HINT, WARNING
from ..table_models.check_results_model import COLUMN_WIDTHS, SiteResultsModel, row_from_overview
from ..table_models.registry_model import ID_ROLE, SORT_ROLE
from ..workers import Jobs
from . import PageContext
from .page_parts import (
    NO_ROUND, ClosesWithWindow, EmptyStack, OneRound, Page, new_round_button, page_column, record_table, round_selector,
)

LOG_LINES = 2000                  # the log view keeps the latest lines only
SITE_DONE_TEXT = {"done": "检查完成", "unreachable": "无法访问", "failed": "失败"}
_BANNER = "QFrame#runSummary {{ border: 1px solid {}; background: {}; border-radius: 4px; }}"
BANNER_DONE = _BANNER.format("#b7dfc0", "#eef8f0")
BANNER_CANCELLED = _BANNER.format("#f3d19e", "#fef7e0")
BANNER_FAILED = _BANNER.format("#f1c2be", "#fdf0ef")


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    box.setAccelerated(True)
    return box


class ChecksPage(ClosesWithWindow, OneRound, Page):
    run_finished = Signal(object)      # jobs.RunSummary (cancelled runs too)
    run_failed = Signal(str)
    jobs_class = Jobs                  # shutdown() cancels the run and waits for it
    layout_key, round_setting = "checks", "checks/round"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._settings = ctx.settings
        self.worker: CheckWorker | None = None
        self._run_round: int | None = None
        self._shown_round: int | None = None
        self._round: rounds.Round | None = None
        self._unfinished: jobs.RunInfo | None = None
        self._announced: set[str] = set()
        # What the form does not show (timeouts, size caps …); tests shorten these.
        self.base_options = jobs.CheckOptions()


        self.round_combo, self.round_info, round_row = round_selector(self._on_round_changed)

        self.options_box = self._build_options()

        self.start_button = button("开始检查", self.start_checks, "检查本轮全部网站（新的一次检查）")
        self.start_button.setDefault(True)
        self.pause_button = button("暂停", self.pause_checks, "正在进行的请求完成后暂停，可随时继续")
        self.resume_button = button("继续", self.resume_checks)
        self.cancel_button = button("取消", self.cancel_checks, "停止检查；已抓取的页面和发现的问题都会保留，以后可以继续")
        self.rerun_button = button("重新检查所选网站", self.rerun_selected,
                                   "对表格中选中的网站重新检查一次（已有的问题不会重复记录）")
        self.resume_run_button = button("继续上次中断的检查", self.resume_last_run,
                                        "接着上次取消或中断的检查进行，已抓取的页面不再重新抓取")
        buttons = hbox(self.start_button, self.pause_button, self.resume_button, self.cancel_button, 16,
                       self.rerun_button, self.resume_run_button, None, spacing=6)

        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("%v / %m 个网站")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_label = QLabel()
        self.current_label = QLabel()
        self.current_label.setStyleSheet(HINT)
        progress_row = hbox((self.progress_bar, 2), 8, (self.progress_label, 3), (self.current_label, 2))

        self.summary_frame, self.summary_label, self.scores_button = self._build_summary()

        self.model = SiteResultsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = self._build_view()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setPlaceholderText("检查日志")
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        log_title = QLabel("检查日志")
        log_title.setStyleSheet("font-weight: bold; color: #3c4043;")
        log_box = QWidget()
        vbox(log_title, (self.log, 1), parent=log_box, margins=(0, 4, 0, 0)).setSpacing(2)
        self.splitter = splitter(self.view, log_box, vertical=True, stretch=(3, 1), collapsible=False)
        self.content = EmptyStack(panel(self.options_box, buttons, progress_row, self.summary_frame,
                                        (self.splitter, 1)))
        self.content.add_state("no_round", NO_ROUND, new_round_button(self))
        page_column(self, "自动检查", "抓取网站、检查链接并运行可自动判断的指标，发现的问题记为待审核", round_row,
                    (self.content, 1))
        self._restore_options()
        self.reload()

    # --- building ------------------------------------------------------------------------------
    def _build_options(self) -> QGroupBox:
        d = jobs.CheckOptions()
        self.max_pages = _spin(1, 100_000, d.max_pages, "每个网站最多抓取的页面数（列表翻页也计入）")
        self.max_depth = _spin(0, 50, d.max_depth, "从首页起的最大链接深度（列表翻页不增加深度）")
        self.concurrency = _spin(1, 64, d.concurrency, "所有网站合计同时进行的请求数")
        self.per_host = _spin(1, 16, d.per_host, "对同一网站（主机）同时进行的请求数")
        self.delay = QDoubleSpinBox()
        self.delay.setRange(0.0, 60.0)
        self.delay.setDecimals(2)
        self.delay.setSingleStep(0.05)
        self.delay.setValue(d.delay)
        self.delay.setSuffix(" 秒")
        self.delay.setToolTip("对同一网站两次请求之间的最小间隔，避免给被检查网站造成压力")
        self.ocr_box = QCheckBox("识别图片文字")
        if ocr.available():
            self.ocr_box.setChecked(True)
            self.ocr_box.setToolTip("识别网站图片和扫描版PDF中的文字，检查个人信息和严重表述错误"
                                    f"（每个网站最多 {d.ocr_images} 个；在单独的进程中进行，不影响抓取）")
        else:
            self.ocr_box.setEnabled(False)
            self.ocr_box.setToolTip(ocr.MISSING)
        box = QGroupBox("检查选项")
        row = QHBoxLayout(box)
        row.setContentsMargins(10, 6, 10, 6)
        for label, widget in (("每个网站最多页面", self.max_pages), ("链接深度", self.max_depth),
                              ("同时请求数", self.concurrency), ("同一网站同时请求", self.per_host),
                              ("请求间隔", self.delay)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
            row.addSpacing(12)
        row.addWidget(self.ocr_box)
        row.addStretch(1)
        return box

    def _build_summary(self) -> tuple[QFrame, QLabel, QPushButton]:
        frame = QFrame()
        frame.setObjectName("runSummary")
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scores = button("前往审核评分", self.go_to_scores, "逐条审核机器发现的问题并计算得分")
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(label, 1)
        row.addWidget(scores, 0, Qt.AlignmentFlag.AlignVCenter)
        frame.hide()
        return frame, label, scores

    def _build_view(self) -> QTableView:
        view = record_table(self.proxy, selection=QAbstractItemView.SelectionMode.ExtendedSelection,
                            widths=COLUMN_WIDTHS)
        view.selectionModel().selectionChanged.connect(self._update_buttons)
        return view

    # --- rounds and the per-site table ---------------------------------------------------------
    def reload(self) -> None:
        """Re-read the rounds (after imports, demo loads, or when the page is shown)."""
        if not self.running:
            self._fill_rounds(rounds.list_rounds(self._db))

    @Slot()
    def _on_round_changed(self) -> None:
        rid = self.round_id()
        if rid != self._shown_round:          # the last run's summary stays while its round is shown
            self.summary_frame.hide()
        self._shown_round = rid
        self.content.show_state("no_round" if rid is None else None)
        if rid is None:
            self.model.set_rows([])
            self.round_info.setText("")
            self._update_buttons()
            return
        self._remember_round(rid)
        self._load_overview(rid)

    def _load_overview(self, rid: int) -> None:
        overview = site_overview(self._db, rid)
        self.model.set_rows([row_from_overview(o) for o in overview])
        r = rounds.get_round(self._db, rid)
        self._round = r
        self._unfinished = unfinished_run(self._db, rid)
        checked = sum(1 for o in overview if o.state in ("done", "unreachable", "failed"))
        failed = sum(1 for o in overview if o.state == "failed")
        parts = [f"监测时间点 {r.as_of}", f"本轮 {len(overview)} 个网站",
                 f"检查完成 {checked - failed} 个" + (f"，失败 {failed} 个" if failed else "")]
        if not self.running:
            self.progress_bar.setRange(0, max(1, len(overview)))
            self.progress_bar.setValue(checked)
        if r.closed:
            parts.append("本轮已关闭，不能再检查（可在“检查轮次”页重新打开）")
        elif self._unfinished is not None:
            u = self._unfinished
            parts.append(f"上次检查（{u.started_at[:16]}）未完成：{u.sites_done}/{u.sites_total} 个网站")
        self.round_info.setText(" · ".join(parts))
        self.round_info.setStyleSheet(WARNING if r.closed else HINT)
        self._update_buttons()

    def selected_keys(self) -> list[str]:
        rows = self.view.selectionModel().selectedRows()
        return [i.data(ID_ROLE) for i in sorted(rows, key=lambda i: i.row())]

    def select_keys(self, keys: list[str]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        for key in keys:
            row = self.model.row_of(key)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            sel.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)

    @property
    def running(self) -> bool:
        return self.worker is not None

    @Slot()
    def _update_buttons(self) -> None:
        rid = self.round_id()
        r = self._round
        can_run = (not self.running and rid is not None and r is not None and r.id == rid and not r.closed
                   and self.model.rowCount() > 0)
        paused = self.running and self.worker.paused
        cancelling = self.running and self.worker.cancel_requested
        self.start_button.setEnabled(can_run)
        self.rerun_button.setEnabled(can_run and bool(self.view.selectionModel().selectedRows()))
        self.resume_run_button.setEnabled(can_run and self._unfinished is not None)
        self.pause_button.setEnabled(self.running and not paused and not cancelling)
        self.resume_button.setEnabled(self.running and paused and not cancelling)
        self.cancel_button.setEnabled(self.running and not cancelling)
        self.round_combo.setEnabled(not self.running)
        self.options_box.setEnabled(not self.running)

    # --- options -------------------------------------------------------------------------------
    def options(self) -> jobs.CheckOptions:
        return dataclasses.replace(self.base_options, max_pages=self.max_pages.value(),
                                   max_depth=self.max_depth.value(), concurrency=self.concurrency.value(),
                                   per_host=self.per_host.value(), delay=round(self.delay.value(), 2),
                                   ocr=self.ocr_box.isChecked())

    def _option_boxes(self) -> tuple:
        return (("max_pages", self.max_pages), ("max_depth", self.max_depth), ("concurrency", self.concurrency),
                ("per_host", self.per_host), ("delay", self.delay))

    def _restore_options(self) -> None:
        for key, box in self._option_boxes():
            value = self._settings.value(f"checks/options/{key}")
            try:
                box.setValue(type(box.value())(float(value)))
            except (TypeError, ValueError):      # not saved yet, or edited by hand
                continue
        if self.ocr_box.isEnabled() and self._settings.value("checks/options/ocr") is not None:
            self.ocr_box.setChecked(str(self._settings.value("checks/options/ocr")).lower() in ("true", "1"))

    def _save_options(self) -> None:
        for key, box in self._option_boxes():
            self._settings.setValue(f"checks/options/{key}", box.value())
        if self.ocr_box.isEnabled():
            self._settings.setValue("checks/options/ocr", self.ocr_box.isChecked())

    # --- starting, pausing, cancelling -----------------------------------------------------------
    @Slot()
    def start_checks(self) -> None:
        rid = self.round_id()
        if rid is not None and not self.running:
            self._start(CheckWorker(self._ctx.db_path, rid, None, self.options()),
                        f"开始检查：{self._round.name}，{self.model.rowCount()} 个网站")

    @Slot()
    def rerun_selected(self) -> None:
        rid, keys = self.round_id(), self.selected_keys()
        if rid is not None and keys and not self.running:
            names = "、".join(self.model.get(k).name for k in keys[:3]) + (f"等 {len(keys)} 个网站" if len(keys) > 3 else "")
            self._start(CheckWorker(self._ctx.db_path, rid, keys, self.options()), f"重新检查：{names}")

    @Slot()
    def resume_last_run(self) -> None:
        rid = self.round_id()
        run = unfinished_run(self._db, rid) if rid is not None else None
        if run is None or self.running:
            self._update_buttons()
            return
        self._start(CheckWorker(self._ctx.db_path, rid, resume_run_id=run.id),
                    f"继续上次中断的检查（任务 {run.id}，已完成 {run.sites_done}/{run.sites_total} 个网站），"
                    "已抓取的页面不再重新抓取")

    def _start(self, worker: CheckWorker, message: str) -> None:
        self._save_options()
        self.worker = worker
        self._run_round = worker.round_id
        self._announced = set()
        worker.progress.connect(self._on_progress)
        self.summary_frame.hide()
        self._mark_queued(worker)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_label.setText("正在准备…")
        self.current_label.clear()
        self._log(message)
        self._jobs.start(worker, self._on_finished, self._on_failed)
        self._update_buttons()

    def _mark_queued(self, worker: CheckWorker) -> None:
        """Rows of the sites this run will check show 待检查 (a resumed run keeps what it did)."""
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        for row in list(self.model.rows):
            if worker.resume_run_id is not None:
                if row.state == "resumable":
                    self.model.update_site(row.key, state="pending")
            elif worker.site_keys is None or row.key in worker.site_keys:
                self.model.update_site(row.key, state="pending", pages=0, findings=0, note="", checked_at=now)

    def _ask_run(self, ask, log: str, note: str = "") -> None:
        """Pass a request to the running worker (called in the GUI thread: the run sees it
        within a moment), then say so."""
        ask()
        if note:
            self.progress_label.setText(note)
        self._log(log)
        self._update_buttons()

    @Slot()
    def pause_checks(self) -> None:
        if self.running:
            self._ask_run(self.worker.pause, "请求暂停", "正在暂停（等待进行中的请求完成）…")

    @Slot()
    def resume_checks(self) -> None:
        if self.running and self.worker.paused:
            self._ask_run(self.worker.resume, "继续检查")

    @Slot()
    def cancel_checks(self) -> None:
        if self.running:                      # requests in flight are aborted
            self._ask_run(self.worker.cancel, "请求取消", "正在取消…")

    # --- worker signals ------------------------------------------------------------------------
    # One run at a time (the buttons see to it), so no sender() check: by the time a queued
    # finished() arrives, Qt may already have deleted the worker and sender() is None.
    @Slot(object)
    def _on_progress(self, batch: CheckProgress) -> None:
        for p in batch.site_reports:
            self._site_report(p)
        p = batch.latest
        if p.site_key:
            self._site_report(p)
        self.progress_bar.setRange(0, max(1, p.sites_total))
        self.progress_bar.setValue(p.sites_done)
        if p.paused:
            state = "已暂停"
        elif self.worker.cancel_requested:
            state = "正在取消…"
        elif p.eta is None:
            state = "剩余时间估算中"
        else:
            state = f"剩余约 {clock(p.eta)}"
        self.progress_label.setText(f"页面 {p.pages} · 新增问题 {p.findings} · 已用 {clock(p.elapsed)} · {state}")
        if p.site_name and p.site_state == "running":
            self.current_label.setText(f"正在检查：{p.site_name}（{p.site_pages} 页）")
        if p.paused:
            self._log("已暂停，进行中的请求已完成")
        self._update_buttons()

    def _site_report(self, p) -> None:
        row = self.model.get(p.site_key)
        if row is None:
            return
        state = p.site_state or row.state
        changes = {"state": state, "pages": p.site_pages, "findings": p.site_findings}
        if state in SITE_DONE_TEXT and p.site_key not in self._announced:
            self._announced.add(p.site_key)
            by_kind = findings_by_kind(self._db, self._run_round, row.target_id).get(row.target_id, ())
            changes["by_kind"] = by_kind
            self._log(f"[{p.sites_done}/{p.sites_total}] {p.site_key} {p.site_name}：{SITE_DONE_TEXT[state]}，"
                      f"页面 {p.site_pages}，新增问题 {p.site_findings}")
        self.model.update_site(p.site_key, **changes)

    @Slot(object)
    def _on_finished(self, outcome: CheckOutcome) -> None:
        s = outcome.summary
        self.worker = None
        self.current_label.clear()
        self.progress_bar.setRange(0, max(1, s.sites_total))
        self.progress_bar.setValue(s.sites_done)
        self.progress_label.setText(f"页面 {s.pages} · 新增问题 {s.findings} · 用时 {duration(s.elapsed)}")
        for e in s.errors[:50]:
            self._log(f"出错：{e}")
        if len(s.errors) > 50:
            self._log(f"另有 {len(s.errors) - 50} 条出错信息未列出")
        self._load_overview(self._run_round)
        for r in s.sites:                      # this run's numbers, as the run itself counted them
            if r.error:
                self.model.update_site(r.site_key, note=r.error)
        self._show_summary(s)
        self._log(self.summary_label.text().split("\n")[0])
        self._update_buttons()
        self.run_finished.emit(s)

    def _show_summary(self, s: jobs.RunSummary) -> None:
        found = s.findings + s.existing
        if s.cancelled:
            text = (f"检查已取消：已完成 {s.sites_done}/{s.sites_total} 个网站，页面 {s.pages} 个，"
                    f"新增问题 {s.findings} 条（任务 {s.run_id}）。\n已抓取的页面和发现的问题都已保存，"
                    "可点“继续上次中断的检查”接着检查。")
            style = BANNER_CANCELLED
        else:
            text = (f"检查完成：网站 {s.sites_total} 个，页面 {s.pages} 个，问题 {found} 条"
                    f"（新增 {s.findings} 条，已有 {s.existing} 条），用时 {duration(s.elapsed)}（任务 {s.run_id}）。"
                    "\n发现的问题已记为待审核，请到“审核评分”页逐条确认。")
            style = BANNER_DONE
        extra = []
        if s.errors:
            extra.append(f"有 {len(s.errors)} 条出错信息，见下方日志。")
        if s.ocr:
            extra.append(ocr_line(s.ocr) + "。")
        if s.skipped_kinds:
            extra.append("未运行的检查（本轮指标体系中没有对应指标）："
                         + "、".join(kind_label(k) for k in s.skipped_kinds) + "。")
        if extra:
            text += "\n" + "".join(extra)
        self.summary_label.setText(text)
        self.summary_frame.setStyleSheet(style)
        self.scores_button.setVisible(not s.cancelled or s.findings > 0)
        self.summary_frame.show()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.worker = None
        self.current_label.clear()
        self.progress_label.setText("检查出错")
        self._log(f"检查出错：{message}")
        self.summary_label.setText(f"检查出错：{message}\n已完成的部分已保存，可点“继续上次中断的检查”接着检查。")
        self.summary_frame.setStyleSheet(BANNER_FAILED)
        self.scores_button.hide()
        self.summary_frame.show()
        if self._run_round is not None:
            self._load_overview(self._run_round)
        self._update_buttons()
        self.run_failed.emit(message)

    def _log(self, text: str) -> None:
        self.log.appendPlainText(f"{dt.datetime.now():%H:%M:%S}  {text}")

    @Slot()
    def go_to_scores(self) -> None:
        window = self.window()
        if hasattr(window, "show_page"):
            window.show_page("scores")

    # --- lifetime ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel a run and wait for its thread (the window is closing)."""
        if self.worker is not None:
            self.worker.cancel()
        self._jobs.wait_all()

    def showEvent(self, event) -> None:
        super().showEvent(event)     # ClosesWithWindow: watch the window
        self.reload()

    def _layout(self) -> dict:
        return {"header": self.view.horizontalHeader(), "splitter": self.splitter}

