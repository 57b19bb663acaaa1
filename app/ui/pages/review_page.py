"""The 审核评分 page: a keyboard-driven findings queue beside the selected target's scorecard.

Keys in the queue: Y/1 确认, N/2 误报, ?/3 存疑, U/0 back to 待审核, O opens the link,
Ctrl+C copies the evidence. A single reviewed row moves the cursor to the next one; a
multi-selection is reviewed as a batch. Each review writes one short transaction, re-reads
the changed rows (dataChanged) and rescores the one target on the scorecard.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QToolButton

from app.core.exports.shots import latest_shots
from app.core.store import audit
from app.core.rounds import findings, rounds
from app.core.errors import GovInspectError
from app.core.rounds.findings import STATUSES, QueueField as Q
from app.core.rounds.round_scores import profiles_for_round
from app.core.rounds.scoring import NOT_CHECKED, PENDING

from .. import style
from ..dialogs.finding_dialog import FindingDialog
from ..evidence_shots import ShotWorker
from ..links import open_evidence, open_link
from ..parts import action, hbox, make_current, search_field, splitter, text_toolbar
from ..scoring_workers import ScoreRoundWorker
from ..table_models.findings_queue_model import COLUMN_WIDTHS, FindingsQueueModel, kind_labels
from ..widgets.finding_detail import FindingDetail, evidence_text
from ..widgets.queue_view import QueueView
from ..widgets.round_combo import RoundCombo
from ..widgets.scorecard import Scorecard
from . import PageContext
from .page_parts import (
    NO_ROUND, EmptyStack, MessageLine, Page, new_round_button, page_column, record_table, restore_layout, save_layout,
)

log = logging.getLogger(__name__)

REMEMBERED_NOTE = "已记住为白名单"
SUMMARY_DELAY_MS = 1200


class ReviewPage(Page):
    reviewed = Signal(list, str)            # finding ids, status (after the write)
    queue_loaded = Signal(int)              # round id
    summary_ready = Signal(object)          # RoundScores
    shots_made = Signal(object)             # evidence_shots.ShotSummary

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self.round: rounds.Round | None = None
        self._loaded_round: int | None = None
        self._seen_audit = -1
        self._card_target: int | None = None
        self._reloading = False
        self.summary = None
        self.detail_finding = None            # the Finding shown under the queue
        self.model = FindingsQueueModel(self)

        self.round_combo = RoundCombo(self._db)
        self.status_filter = QComboBox()
        self.status_filter.addItem("全部状态", None)
        for s in STATUSES:
            self.status_filter.addItem(s, s)
        self.kind_filter = QComboBox()
        self.kind_filter.setMinimumContentsLength(8)
        self.kind_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_filter = QComboBox()
        self.region_filter.setMinimumContentsLength(6)
        self.region_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.type_filter = QComboBox()
        self.type_filter.addItem("网站和新媒体", None)
        self.type_filter.addItem("网站", "site")
        self.type_filter.addItem("新媒体", "account")
        self.search = search_field("搜索对象、描述、链接…", min_width=150)
        self.indicator_chip = QToolButton()            # set from the 总览: one indicator's findings
        self.indicator_chip.setToolTip("只显示此指标（含其下条款）的问题；点击取消")
        self.indicator_chip.clicked.connect(self.clear_indicator)
        self.indicator_chip.setVisible(False)
        filters = hbox(QLabel("检查轮次"), (self.round_combo, 2), 8, self.status_filter, self.kind_filter,
                       self.region_filter, self.type_filter, self.indicator_chip, (self.search, 1), spacing=6)

        self.confirm_action = action(self, "确认", lambda: self.review("确认"), "确认问题属实（Y 或 1）")
        self.false_action = action(self, "误报", lambda: self.review("误报"), "标记为误报（N 或 2）")
        self.doubt_action = action(self, "存疑", lambda: self.review("存疑"), "拿不准，稍后再看（? 或 3）")
        self.reset_action = action(self, "改回待审核", lambda: self.review("待审核"), "撤销审核结果（U 或 0）")
        self.remember_action = action(self, "误报时记住为白名单", tip="标记误报时同时建立白名单规则：以后各轮检查中同一对象、"
                                                              "同一链接和文字的问题自动标为误报")
        self.remember_action.setCheckable(True)
        self.open_action = action(self, "打开链接", self.open_link, "在浏览器中打开问题链接（O）")
        self.shot_action = action(self, "打开截图", self.open_screenshot, "打开问题的截图文件")
        self.make_shot_action = action(self, "生成截图", self.make_screenshots,
                                       "从网页留痕为选中的问题生成截图：标出问题位置，个人信息打码")
        self.copy_action = action(self, "复制证据", self.copy_evidence, "复制选中问题的证据文字（Ctrl+C）")
        self.add_action = action(self, "添加问题…", self.add_finding_for_current, "为当前对象添加人工发现的问题")
        toolbar = text_toolbar(self.confirm_action, self.false_action, self.doubt_action, self.reset_action)
        toolbar.addSeparator()
        toolbar.addAction(self.remember_action)
        toolbar.addSeparator()
        toolbar.addActions([self.open_action, self.shot_action, self.make_shot_action, self.copy_action])
        toolbar.addSeparator()
        toolbar.addAction(self.add_action)
        self.keys_hint = QLabel("键盘：Y 确认 · N 误报 · ? 存疑 · U 撤销，完成后自动跳到下一条")
        self.keys_hint.setStyleSheet(style.HINT)
        bar = hbox(toolbar, None, self.keys_hint)

        self.closed_banner = QLabel()
        self.closed_banner.setObjectName("banner")
        self.closed_banner.setStyleSheet("QLabel#banner { border: 1px solid #f0d9a8; background: #fef7e0;"
                                         " border-radius: 4px; padding: 4px 8px; color: #7a4a00; }")
        self.closed_banner.setVisible(False)

        self.view = self._build_view()
        self.detail = FindingDetail()
        self.detail.link_refused.connect(self._on_link_refused)
        left = splitter(self.view, self.detail, vertical=True, stretch=(3, 1), collapsible=False)
        self.scorecard = Scorecard()
        self.scorecard.add_requested.connect(self._on_add_requested)
        self.scorecard.finding_activated.connect(self.select_finding)
        self.splitter = splitter(left, self.scorecard, stretch=(3, 2), sizes=[640, 420])

        self.message = MessageLine()
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet(style.HINT)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet(style.HINT)
        self.summary_label.setWordWrap(True)
        bottom = hbox(self.counts_label, 16, (self.summary_label, 1))
        self.content = EmptyStack(self.splitter)
        self.content.add_state("no_round", NO_ROUND, new_round_button(self))
        page_column(self, "审核评分", "逐条审核问题，实时查看每个对象的得分", filters, bar, self.closed_banner,
                    (self.content, 1), self.message, bottom)

        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(SUMMARY_DELAY_MS)
        self._summary_timer.timeout.connect(self.compute_summary)
        self.round_combo.round_changed.connect(self._on_round_changed)
        for combo in (self.status_filter, self.kind_filter, self.region_filter, self.type_filter):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        self.search.textChanged.connect(self._on_filters_changed)
        self._update_actions()

    def _build_view(self) -> QueueView:
        view = record_table(self.model, view=QueueView(), selection=QAbstractItemView.SelectionMode.ExtendedSelection,
                            movable=True, widths=COLUMN_WIDTHS,
                            fixed_rows=True)     # uniform rows: 50,000 of them lay out at once
        view.review_key.connect(self.review)
        view.open_key.connect(self.open_link)
        view.copy_key.connect(self.copy_evidence)
        view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        view.selectionModel().selectionChanged.connect(self._update_actions)
        view.doubleClicked.connect(self.open_link)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return view

    def _late_actions(self) -> None:
        if not self.view.actions():
            self.view.addActions([self.confirm_action, self.false_action, self.doubt_action, self.reset_action,
                                  self.open_action, self.copy_action, self.add_action])

    # --- loading -----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._late_actions()
        if self._seen_audit != audit.last_id(self._db):
            self.reload()

    def reload(self) -> None:
        """Re-read rounds and the current round's queue (after imports or edits on other pages)."""
        self._reloading = True
        try:
            self.round_combo.reload()
        finally:
            self._reloading = False
        rid = self.round_combo.round_id()
        self.load_round(rid, keep=self.current_finding_id() if rid == self._loaded_round else None)

    def show_round(self, round_id: int) -> bool:
        """Select ``round_id`` and load its queue (e.g. when another page sends the user here)."""
        if not self.round_combo.set_round(round_id):
            return False
        if self._loaded_round != round_id:
            self.load_round(round_id)
        return True

    @Slot(object)
    def _on_round_changed(self, round_id) -> None:
        if not self._reloading:
            self._set_indicator(None)
            self.load_round(round_id)

    def show_findings(self, round_id: int, status: str | None = None, kind: str | None = None,
                      region: str | None = None, target_type: str | None = None, indicator: str | None = None,
                      indicator_label: str = "") -> bool:
        """The queue of ``round_id`` with these filters and no search (the list behind a figure of
        the 总览); ``indicator`` keeps an item and the clauses under it."""
        if not self.show_round(round_id):
            return False
        for combo, value in ((self.status_filter, status), (self.kind_filter, kind), (self.region_filter, region),
                             (self.type_filter, target_type)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._set_indicator(indicator, indicator_label)
        self._on_filters_changed()
        return True

    def show_target(self, round_id: int, target_id: int) -> bool:
        """The scorecard of one target — also of one without findings — with its first finding
        selected when it has any."""
        if not self.show_round(round_id):
            return False
        first = next((r[Q.ID] for r in self.model.all_rows() if r[Q.TARGET_ID] == target_id), None)
        if first is not None:
            self.select_finding(first)
        else:
            self.view.selectionModel().clear()
            self._show_card(target_id)
        return True

    def _set_indicator(self, item_id: str | None, label: str = "") -> None:
        self.model.set_filter("indicator", item_id)
        self.indicator_chip.setText(f"指标：{label or item_id}  ✕" if item_id else "")
        self.indicator_chip.setVisible(bool(item_id))

    @Slot()
    def clear_indicator(self) -> None:
        self._set_indicator(None)
        self._on_filters_changed()

    def load_round(self, round_id: int | None, keep: int | None = None) -> None:
        """Load a round's whole queue (two queries) and its profiles; keeps ``keep`` selected."""
        self._seen_audit = audit.last_id(self._db)
        self._summary_timer.stop()
        self.summary = None
        self.summary_label.setText("")
        if round_id is None:
            self.round, self._loaded_round = None, None
            self.model.clear()
            self.scorecard.set_profiles({})
            self._show_card(None)
            self._after_load()
            return
        try:
            self.round = rounds.get_round(self._db, round_id)
            profiles = profiles_for_round(self._db, round_id)
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._loaded_round = round_id
        names = {}
        for profile in profiles.values():
            for item in profile.walk():
                names.setdefault(item.id, item.name)
        self.scorecard.set_profiles(profiles)
        self.model.set_queue(findings.review_queue(self._db, round_id), names, kind_labels())
        self._refill_filters()
        self._after_load()
        self._card_target = None            # findings may have changed: rescore whichever target is shown
        row = self.model.row_of_id(keep) if keep is not None else None
        self.select_row(row if row is not None else 0)
        if self.model.rowCount() == 0:
            self._show_card(None)
        self.compute_summary()
        self.queue_loaded.emit(round_id)

    def _refill_filters(self) -> None:
        rows = self.model.all_rows()
        kinds = sorted({r[Q.KIND] for r in rows if r[Q.KIND]}, key=self.model.kind_label)
        regions = list(dict.fromkeys(t.region_name for t in self.model.targets().values() if t.region_name))
        for combo, everything, values, label in ((self.kind_filter, "全部问题类型", kinds, self.model.kind_label),
                                                 (self.region_filter, "全部地区", regions, str)):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for v in values:
                combo.addItem(label(v), v)
            at = combo.findData(keep) if keep else 0
            combo.setCurrentIndex(max(at, 0))
            combo.blockSignals(False)
        self._apply_filters()

    def _after_load(self) -> None:
        self.content.show_state("no_round" if self.round is None else None)
        if not self.model.all_rows():
            self.detail.setPlaceholderText("本轮还没有问题记录：可在“自动检查”中运行检查，点“添加问题”人工录入，"
                                           "或用 findings import 导入（模板：findings template）。")
        else:
            self.detail.setPlaceholderText("选择一条问题查看详情。")
        closed = self.round is not None and self.round.closed
        self.closed_banner.setText(f"检查轮次“{self.round.name}”已关闭，只能查看。如需修改，请在“检查轮次”中重新打开。"
                                   if closed else "")
        self.closed_banner.setVisible(closed)
        self.scorecard.set_read_only(closed)
        self._show_counts()
        self._update_actions()

    @property
    def read_only(self) -> bool:
        return self.round is None or self.round.closed

    # --- filters -----------------------------------------------------------------------------------
    @Slot()
    def _on_filters_changed(self, *_args) -> None:
        keep = self.current_finding_id()
        self._apply_filters()
        row = self.model.row_of_id(keep) if keep is not None else None
        self.select_row(row if row is not None else 0)
        self._show_counts()

    def _apply_filters(self) -> None:
        self.model.set_filter("status", self.status_filter.currentData())
        self.model.set_filter("kind", self.kind_filter.currentData())
        self.model.set_filter("region", self.region_filter.currentData())
        self.model.set_filter("target_type", self.type_filter.currentData())
        self.model.set_search(self.search.text())

    def _show_counts(self) -> None:
        c = self.model.counts
        total = sum(c.values())
        text = f"共 {total} 条：" + " · ".join(f"{s} {c.get(s, 0)}" for s in STATUSES)
        if self.model.is_filtered:
            text += f"（显示 {self.model.rowCount()} 条）"
        self.counts_label.setText(text)

    # --- selection -----------------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.view.selectionModel().clear()
            self._on_current_changed(QModelIndex())
            return
        make_current(self.view, self.model.index(row, 0))

    @Slot(int)
    def select_finding(self, finding_id: int) -> None:
        row = self.model.row_of_id(finding_id)
        if row is None and self.model.is_filtered:
            self._set_indicator(None)
            for combo in (self.status_filter, self.kind_filter, self.region_filter, self.type_filter):
                combo.setCurrentIndex(0)
            self.search.clear()
            row = self.model.row_of_id(finding_id)
        if row is not None:
            self.select_row(row)
            self.view.setFocus()

    def current_finding_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.finding_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        if not rows:
            fid = self.current_finding_id()
            return [fid] if fid is not None else []
        return [self.model.finding_id(r) for r in rows]

    @Slot()
    def _on_current_changed(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.clear()
            self._update_actions()
            return
        row = self.model.row_data(current.row())
        self._show_detail(row[Q.ID])
        if row[Q.TARGET_ID] != self._card_target:
            self._show_card(row[Q.TARGET_ID])
        self._update_actions()

    @Slot()
    def _update_actions(self, *_args) -> None:
        has = bool(self.selected_ids())
        for a in (self.confirm_action, self.false_action, self.doubt_action, self.reset_action):
            a.setEnabled(has and not self.read_only)
        for a in (self.open_action, self.copy_action, self.shot_action, self.make_shot_action):
            a.setEnabled(has)
        self.add_action.setEnabled(self.round is not None and not self.round.closed)

    # --- detail and scorecard ---------------------------------------------------------------------
    def _show_detail(self, finding_id: int) -> None:
        try:
            f = findings.get_finding(self._db, finding_id)
        except GovInspectError:
            self.detail.clear()
            return
        rule = None
        if f.whitelist_rule_id:
            rule = next((r for r in findings.list_whitelist_rules(self._db) if r.id == f.whitelist_rule_id), None)
        self.detail.show_finding(f, self.model.indicator_name(f.indicator_id), self.model.kind_label(f.kind), rule,
                                 latest_shots(self._db, [f.id]).get(f.id))
        self.detail_finding = f

    def _show_card(self, target_id: int | None) -> None:
        self._card_target = target_id
        if target_id is None or self.round is None:
            self.scorecard.show_target(None, [])
            return
        target = rounds.get_target(self._db, target_id)
        self.scorecard.show_target(target, findings.list_findings(self._db, self.round.id, target_id=target_id))

    def refresh_card(self) -> None:
        """Rescore the target on the scorecard (one small query and the pure scorer)."""
        self._show_card(self._card_target)

    # --- reviewing --------------------------------------------------------------------------------
    @Slot(str)
    def review(self, status: str) -> None:
        """Set the selected findings to ``status``; a single one moves the cursor to the next row.

        Reviewed rows stay in view even when a status filter no longer matches them, so the
        cursor never jumps; they drop out the next time a filter is applied.
        """
        ids = self.selected_ids()
        if not ids or self.round is None:
            return
        if self.round.closed:
            self.message.show_message("此检查轮次已关闭，不能修改审核结果。", "warning", 6000)
            return
        remember = status == "误报" and self.remember_action.isChecked()
        current_row = self.view.currentIndex().row()
        try:
            findings.set_status(self._db, ids, status, note=REMEMBERED_NOTE if remember else "")
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            return
        extra_targets: set[int] = set()
        text = f"已将 {len(ids)} 条问题标记为“{status}”。"
        if remember:
            made, problems = 0, []
            for fid in ids:
                try:
                    findings.whitelist_from_finding(self._db, fid, note=f"审核“{self.round.name}”时记住")
                    made += 1
                except GovInspectError as exc:
                    problems.append(str(exc))
            auto = findings.apply_whitelist(self._db, self.round.id) if made else 0
            if auto:
                extra_targets = {r[Q.TARGET_ID] for r in self.model.all_rows() if r[Q.ID] in set(ids)}
            text += f"已记住 {made} 条白名单规则" + (f"，本轮另有 {auto} 条相同问题自动标为误报" if auto else "") + "。"
            if problems:
                text += "未能记住：" + problems[0]
        rows = findings.review_rows(self._db, finding_ids=ids, target_ids=extra_targets)
        self.model.update_rows(rows)
        self._seen_audit = audit.last_id(self._db)
        if self._card_target in {r[Q.TARGET_ID] for r in rows}:
            self.refresh_card()
        if len(ids) == 1 and 0 <= current_row < self.model.rowCount() - 1:
            self.select_row(current_row + 1)
        elif ids:
            self._show_detail(self.current_finding_id() or ids[0])
        self._show_counts()
        self.message.show_message(text, "ok", 8000)
        self._summary_timer.start()
        self.reviewed.emit(ids, status)

    # --- links, evidence ----------------------------------------------------------------------------
    @Slot()
    def open_link(self, *_args) -> None:
        fid = self.current_finding_id()
        if fid is None:
            return
        f = findings.get_finding(self._db, fid)
        url = f.url or (f.page if f.page.startswith("http") else "") or \
            (self.model.target(f.target_id).url if self.model.target(f.target_id) else "")
        self._warn(open_link(url) if url else "这条问题没有链接。")

    @Slot()
    def open_screenshot(self) -> None:
        fid = self.current_finding_id()
        if fid is None:
            return
        shot = latest_shots(self._db, [fid]).get(fid)
        path = findings.get_finding(self._db, fid).screenshot_path or (shot.path if shot else "")
        self._warn(open_evidence(path) if path else "这条问题没有截图：可点“生成截图”从网页留痕生成。")

    def _warn(self, refused: str) -> None:
        """Show why a link or file was not opened ('' when it was)."""
        if refused:
            self.message.show_message(refused, "warning", 8000)

    @Slot()
    def make_screenshots(self) -> None:
        """Draw screenshots of the selected findings from their kept pages, on a worker."""
        ids = self.selected_ids()
        if ids:
            self._jobs.start(ShotWorker(self._ctx.db_path, ids), self._on_shots_made, self._on_shots_failed,
                             busy=self.make_shot_action, note=f"正在从网页留痕生成 {len(ids)} 条问题的截图…")

    @Slot(object)
    def _on_shots_made(self, summary) -> None:
        self.message.show_message(summary.message(), "ok" if summary.made else "warning", 10000)
        self._seen_audit = audit.last_id(self._db)
        fid = self.current_finding_id()
        if fid is not None:
            self._show_detail(fid)
        self._update_actions()
        self.shots_made.emit(summary)

    @Slot(str)
    def _on_shots_failed(self, message: str) -> None:
        self.message.show_message(f"无法生成截图：{message}", "error")
        self._update_actions()

    @Slot(str)
    def _on_link_refused(self, text: str) -> None:
        self.message.show_message(text, "warning", 8000)

    def evidence_text(self, ids: list[int]) -> str:
        return evidence_text(findings.get_findings(self._db, ids), self.model.indicator_name)

    @Slot()
    def copy_evidence(self) -> None:
        ids = self.selected_ids()
        if ids:
            QGuiApplication.clipboard().setText(self.evidence_text(ids))
            self.message.show_message(f"已复制 {len(ids)} 条问题的证据。", "ok", 4000)

    # --- manual findings ---------------------------------------------------------------------------
    @Slot()
    def add_finding_for_current(self) -> None:
        self.open_finding_dialog(self._card_target, self.scorecard.current_item_id())

    @Slot(int, str)
    def _on_add_requested(self, target_id: int, indicator_id: str) -> None:
        self.open_finding_dialog(target_id, indicator_id)

    def open_finding_dialog(self, target_id: int | None, indicator_id: str = "") -> FindingDialog | None:
        if self.round is None or self.round.closed:
            return None
        return FindingDialog.open_for(self, self._db, self.round.id, target_id, indicator_id, self._on_finding_added)

    @Slot(int, int)
    def _on_finding_added(self, finding_id: int, target_id: int) -> None:
        self.load_round(self.round.id, keep=finding_id)
        if self.model.row_of_id(finding_id) is None:
            self.select_finding(finding_id)
        self.message.show_message("已添加 1 条人工问题。", "ok", 6000)

    # --- whole-round summary --------------------------------------------------------------------------
    @Slot()
    def compute_summary(self) -> None:
        """Score the whole round on a worker (about half a second at 50,000 findings)."""
        if self.round is None or not self.isVisible():
            return
        self._jobs.start(ScoreRoundWorker(self._ctx.db_path, self.round.id), self._on_summary_finished,
                         self._on_summary_failed)

    @Slot(object)
    def _on_summary_finished(self, scores) -> None:
        if self.round is None or scores.round.id != self.round.id:
            return
        self.summary = scores
        parts = []
        for label, s in (("网站", scores.summary.sites), ("新媒体", scores.summary.accounts)):
            if not s.total:
                continue
            o = s.overall
            rate = "—" if o.pass_rate is None else f"{o.pass_rate}%"
            skipped = f"，{NOT_CHECKED} {len(s.not_checked)}" if s.not_checked else ""
            pending = f"，{PENDING} {len(s.pending)}" if s.pending else ""
            parts.append(f"{label} {o.passed}/{o.checked} 合格（{rate}{skipped}{pending}）")
        note = "；含待核对数值" if scores.unverified_used else ""
        self.summary_label.setText("本轮：" + "，".join(parts) + note if parts else "")
        self.summary_ready.emit(scores)

    @Slot(str)
    def _on_summary_failed(self, message: str) -> None:
        self.summary_label.setText(f"无法计算本轮得分：{message}")

    # --- layout memory -----------------------------------------------------------------------------
    def save_state(self, settings) -> None:
        save_layout(settings, "review", {"header": self.view.horizontalHeader(), "splitter": self.splitter})
        settings.setValue("review/remember_whitelist", self.remember_action.isChecked())

    def restore_state(self, settings) -> None:
        header = self.view.horizontalHeader()
        if restore_layout(settings, "review", {"header": header}):
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        restore_layout(settings, "review", {"splitter": self.splitter})
        self.remember_action.setChecked(str(settings.value("review/remember_whitelist", "false")).lower() == "true")
