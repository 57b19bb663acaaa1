"""The 检查轮次 page: rounds, creating one (with a sample preview), close/reopen, and the selected
round's frozen targets — each with its 检查状态, and once scored on a worker its result, score and
problem counts — marked 已检查/未检查 by hand, with manual findings and a way to the scorecard."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QMessageBox, QStackedWidget, QTableView, QWidget

from app.core.store import audit
from app.core.rounds import rounds
from app.core.rounds.scoring import CHECKED, FAILED_ZH, NOT_CHECKED, PASSED_ZH, PENDING
from app.core.errors import GovInspectError

from .. import style
from ..dialogs.finding_dialog import FindingDialog
from ..dialogs.new_round_dialog import NewRoundDialog
from ..dialogs.note_dialog import NoteDialog
from ..parts import action, button, hbox, make_current, panel, search_field, splitter, text_toolbar, vbox
from ..scoring_workers import TargetResultsWorker
from ..table_models.registry_model import ID_ROLE, SORT_ROLE
from ..table_models.rounds_model import (
    ROUND_WIDTHS, TARGET_WIDTHS, RoundsTableModel, TargetsFilterProxy, TargetsTableModel,
)
from . import PageContext
from .page_parts import MessageLine, Page, empty_state, go_to, page_column, record_table, show_dialog


def _table(model) -> QTableView:
    return record_table(model, selection=QAbstractItemView.SelectionMode.ExtendedSelection,
                        elide=Qt.TextElideMode.ElideMiddle)


class RoundsPage(Page):
    round_created = Signal(int)
    round_changed = Signal(int)          # a round was closed/reopened or its targets were marked
    results_ready = Signal(int)          # the targets' results of this round are shown
    layout_key = "rounds"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._seen_audit = -1
        self.model = RoundsTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSourceModel(self.model)
        self.targets_model = TargetsTableModel(self)
        self.targets_proxy = TargetsFilterProxy(self)
        self.targets_proxy.setSourceModel(self.targets_model)

        self.new_action = action(self, "新建轮次…", self.open_new_round_dialog,
                                 "从名录中全量或抽样选取检查对象，建立新的检查轮次", QKeySequence.StandardKey.New)
        self.addAction(self.new_action)
        self.close_action = action(self, "关闭轮次", self.close_selected, "检查完成后关闭：本轮的检查对象和问题变为只读")
        self.reopen_action = action(self, "重新打开…", self.reopen_selected, "重新打开已关闭的轮次（须说明原因，记入操作日志）")
        bar = hbox(text_toolbar(self.new_action, self.close_action, self.reopen_action), None)

        self.view = _table(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for col, width in enumerate(ROUND_WIDTHS):
            self.view.setColumnWidth(col, width)
        self.view.selectionModel().currentRowChanged.connect(self._on_round_selected)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.addActions([self.close_action, self.reopen_action])
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet(style.HINT)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Targets of the selected round.
        self.card_action = action(self, "查看评分", self.open_scorecard,
                                  "在“审核评分”中查看此对象的得分、扣分和问题（也可双击对象）")
        self.checked_action = action(self, "标记已检查", self.mark_checked_selected,
                                     "已人工检查过此对象（如没有发现问题）：计入合格率")
        self.unchecked_action = action(self, "标记未检查…", self.mark_unchecked_selected,
                                       "此对象本轮无法检查（如无法访问），填写说明；不计入合格率")
        self.restore_action = action(self, "恢复为待检查", self.restore_selected, "撤销“已检查”或“未检查”标记")
        self.add_finding_action = action(self, "添加问题…", self.add_finding_selected, "为选中的对象添加人工发现的问题")
        t_toolbar = text_toolbar(self.card_action, self.checked_action, self.unchecked_action, self.restore_action,
                                 self.add_finding_action)
        self.type_filter = QComboBox()
        self.type_filter.addItem("网站和新媒体", None)
        self.type_filter.addItem("网站", "site")
        self.type_filter.addItem("新媒体", "account")
        self.state_filter = QComboBox()
        self.state_filter.addItem("全部检查状态", None)
        for s in rounds.REVIEW_STATES:
            self.state_filter.addItem(s, s)
        for s in (PASSED_ZH, FAILED_ZH):
            self.state_filter.addItem(f"已检查·{s}", s)
        self.target_search = search_field("搜索名称、标识、单位…", min_width=140)
        for w in (self.type_filter, self.state_filter):
            w.currentIndexChanged.connect(self._on_target_filters_changed)
        self.target_search.textChanged.connect(self._on_target_filters_changed)
        self.targets_title = QLabel("检查对象")
        self.targets_title.setStyleSheet("font-weight: bold; color: #202124;")
        t_bar = hbox(self.targets_title, t_toolbar, None, (self.target_search, 1), self.type_filter,
                     self.state_filter, spacing=6)
        self.targets_view = _table(self.targets_proxy)
        self.targets_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for col, width in enumerate(TARGET_WIDTHS):
            self.targets_view.setColumnWidth(col, width)
        self.targets_view.selectionModel().selectionChanged.connect(self._update_actions)
        self.targets_view.doubleClicked.connect(self.open_scorecard)
        self.targets_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.targets_view.addActions([self.card_action, self.checked_action, self.unchecked_action,
                                      self.restore_action, self.add_finding_action])

        bottom = QWidget()
        vbox(t_bar, (self.targets_view, 1), parent=bottom, margins=(0, 4, 0, 0))
        self.splitter = splitter(panel((self.view, 1), self.info), bottom, vertical=True, stretch=(2, 3),
                                 sizes=[230, 470], collapsible=False)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(empty_state("还没有检查轮次。\n新建轮次时可选择全量检查或按比例抽样，建立前会先预览样本；"
                                         "名录为空时先在“网站”“新媒体”中导入名录。",
                                         button("新建轮次…", self.open_new_round_dialog)))
        self.message = MessageLine()
        page_column(self, "检查轮次", "每轮冻结检查对象；只有“已检查”的对象计入合格率；关闭后只读，重新打开须说明原因",
                    bar, (self.stack, 1), self.message)
        self._update_actions()              # the rounds are read when the page is first shown

    # --- data ------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._seen_audit != audit.last_id(self._db):
            self.reload()

    def reload(self) -> None:
        keep = self.selected_round_id()
        self._seen_audit = audit.last_id(self._db)
        self.model.set_rounds(rounds.list_rounds(self._db))
        self.stack.setCurrentIndex(0 if self.model.rowCount() else 1)
        if not self.select_round(keep) and self.proxy.rowCount():
            self.select_round(self.proxy.index(0, 0).data(ID_ROLE))
        if not self.proxy.rowCount():
            self._show_round(None)

    def select_round(self, round_id: int | None) -> bool:
        row = self.model.row_of_id(round_id) if round_id is not None else None
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if self.view.currentIndex().row() == index.row():
            self._show_round(round_id)        # already current: no signal, so re-read its targets here
        make_current(self.view, index)
        return True

    def selected_round_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def selected_round(self) -> rounds.Round | None:
        rid = self.selected_round_id()
        row = self.model.row_of_id(rid) if rid is not None else None
        return self.model.round_at(row) if row is not None else None

    @Slot()
    def _on_round_selected(self, current, _previous=None) -> None:
        self._show_round(current.data(ID_ROLE) if current.isValid() else None)

    def _show_round(self, round_id: int | None) -> None:
        if round_id is None:
            self.targets_model.set_targets([])
            self.info.setText("")
            self.targets_title.setText("检查对象")
            self._update_actions()
            return
        r = self.model.round_at(self.model.row_of_id(round_id))
        self.targets_model.set_targets(rounds.round_targets(self._db, round_id))
        self._show_coverage()
        self.info.setText(self._describe(r))
        self._update_actions()
        self.rescore()

    def _show_coverage(self) -> None:
        targets = [self.targets_model.target_at(i) for i in range(self.targets_model.rowCount())]
        states = {s: sum(1 for t in targets if t.review_state == s) for s in (CHECKED, PENDING, NOT_CHECKED)}
        self.targets_title.setText(f"检查对象 {len(targets)} 个：已检查 {states[CHECKED]}，待检查 {states[PENDING]}"
                                   + (f"，未检查 {states[NOT_CHECKED]}" if states[NOT_CHECKED] else ""))

    def rescore(self) -> None:
        """Results, scores and problem counts of the shown round's targets, on a worker."""
        rid = self.selected_round_id()
        if rid is not None:
            self._jobs.start(TargetResultsWorker(self._ctx.db_path, rid), self._on_results, self._on_results_failed)

    @Slot(object)
    def _on_results(self, answer) -> None:
        round_id, results = answer
        if round_id == self.selected_round_id():
            self.targets_model.set_results(results)
            self.results_ready.emit(round_id)

    @Slot(str)
    def _on_results_failed(self, message: str) -> None:
        self.message.show_message(f"无法计算得分：{message}", "error")

    def show_targets(self, round_id: int, target_type: str | None = None, state: str | None = None) -> bool:
        """The round's targets of one type and 检查状态 (or result: 合格/不合格), search cleared (the
        list behind a figure of the 总览)."""
        if not self.select_round(round_id):
            return False
        for combo, value in ((self.type_filter, target_type), (self.state_filter, state)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.blockSignals(False)
        self.target_search.clear()
        self._on_target_filters_changed()
        return True

    def _describe(self, r: rounds.Round) -> str:
        def scope(pct):
            return "全量" if pct is None else f"抽样 {pct:g}%"
        parts = [f"指标体系 {r.profile_id}（{r.profile_version}）",
                 f"网站 {scope(r.sample_sites_pct)}，新媒体 {scope(r.sample_accounts_pct)}"
                 + ("，按地区分层" if r.stratify_by_region else ""),
                 f"随机种子 {r.seed}"]
        if r.recheck_round_id:
            earlier = self.model.row_of_id(r.recheck_round_id)
            name = self.model.round_at(earlier).name if earlier is not None else f"编号 {r.recheck_round_id}"
            parts.append(f"回头看：{name}")
        parts.append(f"建立于 {r.created_at}")
        if r.closed:
            parts.append(f"已于 {r.closed_at} 关闭，只读")
        if r.notes:
            parts.append(f"备注：{r.notes}")
        return " · ".join(parts)

    def _refresh_round(self, round_id: int) -> None:
        self.model.replace_round(rounds.get_round(self._db, round_id))
        self._seen_audit = audit.last_id(self._db)
        self._show_round(round_id)
        self.round_changed.emit(round_id)

    @Slot()
    def _update_actions(self, *_args) -> None:
        r = self.selected_round()
        self.close_action.setEnabled(r is not None and not r.closed)
        self.reopen_action.setEnabled(r is not None and r.closed)
        targets = self.selected_targets()
        editable = r is not None and not r.closed and bool(targets)
        self.card_action.setEnabled(r is not None and len(targets) == 1)
        self.checked_action.setEnabled(editable and any(t.review_state != CHECKED for t in targets))
        self.unchecked_action.setEnabled(editable)
        self.restore_action.setEnabled(editable and any(t.review_state != PENDING for t in targets))
        self.add_finding_action.setEnabled(r is not None and not r.closed and len(targets) == 1)

    # --- rounds -----------------------------------------------------------------------------------------
    @Slot()
    def open_new_round_dialog(self) -> NewRoundDialog:
        dialog = NewRoundDialog(self._db, self._ctx.db_path, self)
        return show_dialog(self, "new_round_dialog", dialog, created=self._on_round_created)

    @Slot(int)
    def _on_round_created(self, round_id: int) -> None:
        self.reload()
        self.select_round(round_id)
        r = self.selected_round()
        if r is not None:
            self.message.show_message(f"已建立检查轮次“{r.name}”：网站 {r.site_count} 个，新媒体 {r.account_count} 个。",
                                      "ok", 10000)
        self.round_created.emit(round_id)

    @Slot()
    def close_selected(self) -> QMessageBox | None:
        r = self.selected_round()
        if r is None or r.closed:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "关闭轮次",
                          f"关闭检查轮次“{r.name}”后，它的检查对象、问题和审核结果都变为只读。\n"
                          "以后如需修改，可以重新打开（须说明原因）。确定关闭吗？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("关闭轮次")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        self._closing_round = r.id
        return show_dialog(self, "last_message", box, accepted=self._on_close_confirmed)

    @Slot()
    def _on_close_confirmed(self) -> None:
        self.close_round(self._closing_round)

    def close_round(self, round_id: int) -> bool:
        try:
            rounds.close_round(self._db, round_id)
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            return False
        self._refresh_round(round_id)
        self.message.show_message("检查轮次已关闭，现为只读。", "ok", 8000)
        return True

    @Slot()
    def reopen_selected(self) -> NoteDialog | None:
        r = self.selected_round()
        if r is None or not r.closed:
            return None
        dialog = NoteDialog("重新打开轮次", f"重新打开已关闭的检查轮次“{r.name}”。请说明原因（记入操作日志）：",
                            "如：复核发现漏检，需补充问题", "重新打开", True, self)
        self._reopening_round = r.id
        return show_dialog(self, "note_dialog", dialog, submitted=self._on_reopen_reason)

    @Slot(str)
    def _on_reopen_reason(self, reason: str) -> None:
        try:
            rounds.reopen_round(self._db, self._reopening_round, reason)
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._refresh_round(self._reopening_round)
        self.message.show_message("检查轮次已重新打开。", "ok", 8000)

    # --- targets ------------------------------------------------------------------------------------
    @Slot()
    def _on_target_filters_changed(self, *_args) -> None:
        self.targets_proxy.set_filters(self.type_filter.currentData(), self.state_filter.currentData(),
                                       self.target_search.text())
        self._update_actions()

    def selected_targets(self) -> list[rounds.RoundTarget]:
        rows = sorted(self.targets_proxy.mapToSource(i).row() for i in self.targets_view.selectionModel().selectedRows())
        return [self.targets_model.target_at(r) for r in rows]

    def select_targets(self, target_ids: list[int]) -> None:
        sel = self.targets_view.selectionModel()
        sel.clear()
        for tid in target_ids:
            row = self.targets_model.row_of_id(tid)
            if row is not None:
                index = self.targets_proxy.mapFromSource(self.targets_model.index(row, 0))
                sel.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
                sel.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    @Slot()
    def mark_unchecked_selected(self) -> NoteDialog | None:
        targets = self.selected_targets()
        if not targets:
            return None
        what = targets[0].name if len(targets) == 1 else f"选中的 {len(targets)} 个对象"
        dialog = NoteDialog("标记未检查", f"将{what}标记为本轮“未检查”，不计入合格率。请说明原因：",
                            "如：检查期间网站无法访问 / 账号已迁移", "标记未检查", True, self)
        self._marking = [t.id for t in targets]
        return show_dialog(self, "note_dialog", dialog, submitted=self._on_unchecked_note)

    @Slot(str)
    def _on_unchecked_note(self, note: str) -> None:
        self.set_review_state(self._marking, "未检查", note)

    @Slot()
    def restore_selected(self) -> None:
        self.set_review_state([t.id for t in self.selected_targets() if t.review_state != PENDING], PENDING, "")

    @Slot()
    def mark_checked_selected(self) -> None:
        self.set_review_state([t.id for t in self.selected_targets() if t.review_state != CHECKED], CHECKED, "")

    @Slot()
    def open_scorecard(self, *_args) -> bool:
        """The selected target's scorecard on 审核评分 (also for a target without findings)."""
        r, targets = self.selected_round(), self.selected_targets()
        if r is None or len(targets) != 1:
            return False
        page = go_to(self, "scores")
        return page is not None and page.show_target(r.id, targets[0].id)

    def set_review_state(self, target_ids: list[int], state: str, note: str) -> None:
        done = 0
        for tid in target_ids:
            try:
                rounds.set_review_state(self._db, tid, state, note)
            except GovInspectError as exc:
                self.message.show_message(str(exc), "error")
                break
            self.targets_model.replace_target(rounds.get_target(self._db, tid))
            done += 1
        self._seen_audit = audit.last_id(self._db)
        self._update_actions()
        if done:
            self._show_coverage()
            self.message.show_message(f"已将 {done} 个对象标记为“{state}”。", "ok", 6000)
            self.round_changed.emit(self.selected_round_id())
            self.rescore()

    @Slot()
    def add_finding_selected(self, *_args) -> FindingDialog | None:
        r, targets = self.selected_round(), self.selected_targets()
        if r is None or r.closed or len(targets) != 1:
            return None
        return FindingDialog.open_for(self, self._db, r.id, targets[0].id, "", self._on_finding_added)

    @Slot(int, int)
    def _on_finding_added(self, _finding_id: int, _target_id: int) -> None:
        rid = self.selected_round_id()
        if rid is not None:
            self.model.replace_round(rounds.get_round(self._db, rid))
        self._seen_audit = audit.last_id(self._db)
        for t in self.selected_targets():          # a manual finding marks its target 已检查
            self.targets_model.replace_target(rounds.get_target(self._db, t.id))
        self._show_coverage()
        self.rescore()
        self.message.show_message("已添加 1 条人工问题，可在“审核评分”中查看得分。", "ok", 8000)

    def _layout(self) -> dict:
        return {"header": self.view.horizontalHeader(), "targets_header": self.targets_view.horizontalHeader(),
                "splitter": self.splitter}
