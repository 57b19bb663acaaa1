"""The 新媒体审核 page: a keyboard grid of one round's accounts, saving each edit as it is made.

GUI thread: the grid reads and saves through a ReviewSession on the page's connection (a
save is a fraction of a millisecond); monitoring imports and menu-link tests run on workers.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QProgressBar, QStackedWidget, QToolButton

from app.core.followup import media_review as mr, media_rules
from app.core.rounds import rounds
from app.core.errors import GovInspectError
from app.core.crawl.linkcheck import is_http

from .. import style
from ..dialogs.observation_dialog import ObservationDialog
from ..dialogs.problems_dialog import PROBLEM_HEADERS, ProblemListDialog, problem_rows
from ..parts import action, button, hbox, make_record_current, open_file, search_field
from ..review_workers import MenuTestWorker, MonitoringImportWorker
from ..table_models.review_model import (
    COLUMN_WIDTHS, PROPOSAL_LABELS, ReviewColumn, ReviewFilterProxy, ReviewTableModel, has_problem, menu_state,
)
from ..widgets.review_grid import ReviewGrid
from ..widgets.round_combo import RoundCombo
from . import PageContext
from .page_parts import MessageLine, Page, page_column, record_table, show_dialog

KEY_HELP = ("键盘：方向键/Tab 移动 · 在“最近更新日期”列直接输入日期（2025-08-01、8-1 或 0801）按回车保存并下移 · "
            "H 互动 无/有 · A 广告 · U 无关内容 · C 标记已检查 · Del 清除当前格 · "
            "Ctrl+E 服务菜单与表述错误 · Ctrl+T 测试菜单链接 · Ctrl+F 筛选")
MONITOR_FILTER = "监测数据 (*.xlsx *.xlsm *.csv);;所有文件 (*)"


class MediaPage(Page):
    monitoring_imported = Signal(object)     # MonitoringImport (ok or with problems)
    menus_tested = Signal(object)            # MenuTestResult, after saving
    job_failed = Signal(str)
    layout_key = "media"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._menu_worker: MenuTestWorker | None = None
        self._loaded_round: int | None = None
        self._stale = True
        self.fetcher = None                  # tests may set a fetcher for menu tests
        self.problems_dialog: ProblemListDialog | None = None
        self.observation_dialog: ObservationDialog | None = None

        self.model = ReviewTableModel(self)
        self.proxy = ReviewFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.model.save_failed.connect(self._on_save_failed)
        self.model.row_saved.connect(self._on_row_saved)

        self.round_combo = RoundCombo(self._db)
        self.round_combo.round_changed.connect(self._on_round_changed)
        self.import_button = button("导入监测数据…", self._on_import_clicked,
                                    "从监测平台导出的表格（平台、账号名称/账号ID、最近发布时间、期间发布条数）填入本轮")

        self.edit_action = action(self, "服务菜单与表述错误…", self.edit_current, shortcut="Ctrl+E")
        self.test_action = action(self, "测试菜单链接", self.test_current_menus,
                                  "测试当前账号服务菜单中的网址能否打开（Ctrl+T）", "Ctrl+T")
        self.test_all_action = action(self, "测试本轮全部账号的菜单链接", self.test_all_menus)
        find = action(self, "", self._focus_search, shortcut=QKeySequence.StandardKey.Find)
        refresh = action(self, "", self.reload_grid, shortcut=QKeySequence.StandardKey.Refresh)
        self.addActions([self.edit_action, self.test_action, find, refresh])

        edit_button = QToolButton()
        edit_button.setDefaultAction(self.edit_action)
        test_button = QToolButton()
        test_button.setDefaultAction(self.test_action)
        test_menu = QMenu(test_button)
        test_menu.addAction(self.test_action)
        test_menu.addAction(self.test_all_action)
        test_button.setMenu(test_menu)
        test_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

        self.search = search_field("筛选账号名称、主办单位…", self._on_search_changed, 180, 280)
        self.problems_only = QCheckBox("只看有问题")
        self.problems_only.setToolTip("只列出提出了问题或有未排除问题的账号")
        self.problems_only.toggled.connect(self._on_problems_only)
        bar = hbox(QLabel("检查轮次"), self.round_combo, self.import_button, edit_button, test_button, None, spacing=6)

        self.message = MessageLine()
        self.counts = QLabel()
        self.counts.setStyleSheet(style.HINT)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self.cancel_button = button("取消", self._on_cancel)
        self.cancel_button.setVisible(False)
        status = hbox(self.search, self.problems_only, 8, (self.message, 1), self.progress, self.cancel_button,
                      self.counts, spacing=6)

        self.view = self._build_view()
        self.empty = QLabel()
        self.empty.setObjectName("placeholderText")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumHeight(44)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setStyleSheet("QLabel { background: #f6f7f9; border: 1px solid #e6e8eb; border-radius: 4px;"
                                  " padding: 6px 8px; }")
        keys = style.caption(KEY_HELP)
        keys.setWordWrap(True)

        page_column(self, "新媒体审核", "逐个账号记录检查情况，保存即提出单项否决和扣分问题", bar, status, (self.stack, 1),
                    self.detail, keys)
        self._show_empty_or_grid()

    def _build_view(self) -> ReviewGrid:
        # The grid keeps its own cell selection and editing.
        view = record_table(self.proxy, view=ReviewGrid(), selection=None, widths=COLUMN_WIDTHS, fixed_rows=True)
        view.flag_pressed.connect(self._on_flag_pressed)
        view.clear_pressed.connect(self._on_clear_pressed)
        view.doubleClicked.connect(self._on_double_clicked)
        view.selectionModel().currentChanged.connect(self._on_current_changed)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        view.addActions([self.edit_action, self.test_action])
        return view

    # --- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """After imports elsewhere: re-read the rounds, and the grid when it is on screen."""
        self.round_combo.reload()
        self._stale = True
        if self.isVisible():
            self.reload_grid()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.round_combo.reload()
        if self._stale or self._loaded_round != self.round_combo.round_id():
            self.reload_grid()

    @Slot(object)
    def _on_round_changed(self, round_id) -> None:
        self._stale = True
        if self.isVisible():
            self.reload_grid()

    @Slot()
    def reload_grid(self) -> None:
        self.open_round(self.round_combo.round_id())

    def open_round(self, round_id: int | None) -> None:
        """Load the round's accounts into the grid and put the cursor on the first date cell."""
        if round_id is not None and self.round_combo.round_id() != round_id:
            self.round_combo.set_round(round_id, emit=False)
        keep = self.current_target_id() if round_id == self._loaded_round else None
        if round_id is None:
            self.model.set_session(None)
        else:
            session = mr.ReviewSession(self._db, round_id)
            closed = rounds.get_round(self._db, round_id).closed
            self.model.set_session(session, read_only=closed)
            if closed:
                self.message.show_message("本轮已关闭，只能查看。如需修改，请在“检查轮次”中重新打开。", "warning")
            else:
                self.message.clear()
        self._loaded_round, self._stale = round_id, False
        self._show_empty_or_grid()
        self._update_counts()
        if keep is None or not self.select_target(keep):
            self._select_first()

    def _show_empty_or_grid(self) -> None:
        if self.model.session is None:
            self.empty.setText("还没有检查轮次。\n请先在“检查轮次”中建立检查轮次，再在这里逐个账号记录检查情况。")
        elif not self.model.rowCount():
            self.empty.setText("本轮没有新媒体账号。")
        self.stack.setCurrentIndex(0 if self.model.rowCount() else 1)
        has = self.model.session is not None and not self.model.read_only
        for w in (self.import_button, self.edit_action, self.test_action, self.test_all_action):
            w.setEnabled(has)

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            index = self.proxy.index(0, ReviewColumn.LAST_UPDATE)
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self._show_detail(None)

    def _update_counts(self) -> None:
        rows = self.model.rows
        if self.model.session is None:
            self.counts.setText("")
            return
        checked = sum(1 for r in rows if r.review_state == "已检查")
        problems = sum(1 for r in rows if has_problem(r))
        text = f"账号 {len(rows)} 个 · 已检查 {checked} · 有问题 {problems}"
        if self.proxy.is_filtered:
            text += f" · 显示 {self.proxy.rowCount()}"
        self.counts.setText(text)

    # --- current row -------------------------------------------------------------------------------
    def current_source_row(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.mapToSource(index).row()

    def current_row(self) -> media_rules.ReviewRow | None:
        row = self.current_source_row()
        return self.model.row_at(row) if row is not None else None

    def current_target_id(self) -> int | None:
        r = self.current_row()
        return r.target_id if r else None

    def select_target(self, target_id: int, column: int = ReviewColumn.LAST_UPDATE) -> bool:
        return make_record_current(self.view, self.proxy, self.model, target_id, column, rows=False)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current, _previous) -> None:
        self._show_detail(self.current_row())

    def _show_detail(self, r: media_rules.ReviewRow | None) -> None:
        if r is None:
            self.detail.setText("")
            return
        e = html.escape
        head = f"<b>{e(r.name)}</b>　{e(r.platform)}"
        if r.platform_account_id:
            head += f"　{e(r.platform_account_id)}"
        head += f"　<span style='color:#5f6368'>{e(r.unit_name)}</span>"
        if r.url:
            head += f"　<a href='{e(r.url)}'>{e(r.url)}</a>"
        parts = []
        if r.obs.posts_in_period is not None:
            parts.append(f"期间发布 {r.obs.posts_in_period} 条")
        if r.obs.menu_items:
            parts.append("服务菜单：" + "，".join(f"{e(m.name or m.url)}（{e(menu_state(m))}）" for m in r.obs.menu_items))
        if r.obs.wording_errors:
            parts.append("表述错误：" + "，".join(
                f"“{e(w.text)}”" + (f"→“{e(w.correction)}”" if w.correction else "") + ("（严重）" if w.grave else "")
                for w in r.obs.wording_errors))
        if r.obs.notes:
            parts.append("备注：" + e(r.obs.notes))
        if r.proposals:
            labels = "、".join(PROPOSAL_LABELS.get(k, k) for k in dict.fromkeys(r.proposals))
            parts.append(f"<span style='color:#c5221f'>已提出：{labels}（待审核）</span>")
        elif r.open_findings:
            parts.append(f"本账号另有 {r.open_findings} 个问题")
        if r.others:
            parts.append("其他来源的问题：" + "，".join(e(x) for x in r.others))
        self.detail.setText(head + ("<br>" + "；".join(parts) if parts else ""))

    # --- keyboard actions ------------------------------------------------------------------------
    @Slot(str)
    def _on_flag_pressed(self, flag: str) -> None:
        row = self.current_source_row()
        if row is None:
            return
        r = self.model.row_at(row)
        if flag == "interaction":
            # 未检查/有 → 无 (the problem: proposes 互动回应差), 无 → 有.
            self.model.save(row, {"interaction_ok": r.obs.interaction_ok is False})
        elif flag == "ads":
            self.model.save(row, {"ads_seen": not r.obs.ads_seen})
        elif flag == "unrelated":
            self.model.save(row, {"unrelated_content": not r.obs.unrelated_content})
        elif flag == "checked":
            self.model.set_review_state(row, "待检查" if r.review_state == "已检查" else "已检查")

    @Slot()
    def _on_clear_pressed(self) -> None:
        row = self.current_source_row()
        if row is None:
            return
        column = self.view.currentIndex().column()
        changes = {ReviewColumn.LAST_UPDATE: {"last_update": None},
                   ReviewColumn.INTERACTION: {"interaction_ok": None},
                   ReviewColumn.ADS: {"ads_seen": False},
                   ReviewColumn.UNRELATED: {"unrelated_content": False}}.get(column)
        if changes is not None:
            self.model.save(row, changes, mark_checked=False)

    @Slot(object)
    def _on_row_saved(self, result) -> None:
        row = getattr(result, "row", result)
        if row.target_id == self.current_target_id():
            self._show_detail(row)
        self._update_counts()
        unmapped = getattr(result, "unmapped", ())
        if unmapped:
            names = "、".join(media_rules.KIND_ZH.get(k, k) for k in unmapped)
            self.message.show_message(f"已保存。本轮的指标体系中没有“{names}”对应的指标，未作为问题提出。", "warning")
        else:
            self.message.show_message(f"已保存：{row.name}", "ok", 4000)

    @Slot(str)
    def _on_save_failed(self, text: str) -> None:
        self.message.show_message(f"未保存。{text}", "error")

    @Slot(QModelIndex)
    def _on_double_clicked(self, index) -> None:
        if index.column() != ReviewColumn.LAST_UPDATE:
            self.edit_current()

    # --- the editor dialog ----------------------------------------------------------------------------
    @Slot()
    def edit_current(self) -> ObservationDialog | None:
        row = self.current_source_row()
        if row is None or self.model.session is None or self.model.read_only:
            return None
        r = self.model.row_at(row)
        target_id = r.target_id

        def save(changes: dict) -> str | None:
            at = self.model.row_of_id(target_id)
            if at is None:
                return "该账号已不在当前列表中"
            try:
                result = self.model.session.save(target_id, changes)
            except GovInspectError as exc:
                return str(exc)
            self.model.replace_row(result.row)
            self.model.row_saved.emit(result)
            return None

        dialog = ObservationDialog(r, save, self)
        return show_dialog(self, "observation_dialog", dialog, finished=self._on_dialog_finished)

    @Slot()
    def _on_dialog_finished(self) -> None:
        self.observation_dialog = None
        self.view.setFocus()

    # --- menu tests ------------------------------------------------------------------------------------
    @Slot()
    def test_current_menus(self) -> None:
        r = self.current_row()
        if r is None:
            return
        if not any(is_http(m.url) for m in r.obs.menu_items):
            self.message.show_message(f"“{r.name}”的服务菜单中没有可自动测试的网址。按 Ctrl+E 填写菜单名称和链接；"
                                      "小程序等请手工选择能否使用。", "warning")
            return
        self._start_menu_test({r.target_id: r.obs.menu_items})

    @Slot()
    def test_all_menus(self) -> None:
        menus = {r.target_id: r.obs.menu_items for r in self.model.rows
                 if any(is_http(m.url) for m in r.obs.menu_items)}
        if not menus:
            self.message.show_message("本轮还没有填写服务菜单网址的账号。", "warning")
            return
        self._start_menu_test(menus)

    def _start_menu_test(self, menus: dict) -> None:
        if self._menu_worker is not None:
            self.message.show_message("正在测试菜单链接，请等待完成或取消。", "warning")
            return
        worker = MenuTestWorker(self._ctx.db_path, menus, self.fetcher)
        worker.progress.connect(self._on_menu_progress)
        self._menu_worker = worker
        self.test_action.setEnabled(False)
        self.test_all_action.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self._jobs.start(worker, self._on_menus_tested, self._on_job_failed,
                         note=f"正在测试 {len(menus)} 个账号的菜单链接…")

    @Slot(int, int, str)
    def _on_menu_progress(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    @Slot(object)
    def _on_menus_tested(self, result) -> None:
        self._end_job()
        saved = failed = 0
        for target_id, items in result.tested.items():
            row = self.model.row_of_id(target_id)
            if row is None:
                continue
            outcome = self.model.save(row, {"menu_items": [m.to_json() for m in items]})
            if outcome is not None:
                saved += 1
                failed += outcome.row.menus_failed
        note = "（已取消，未测完的账号未保存）" if result.cancelled else ""
        self.message.show_message(f"菜单链接测试完成：{saved} 个账号，失效菜单 {failed} 个{note}。",
                                  "warning" if failed or result.cancelled else "ok")
        self.menus_tested.emit(result)

    def _end_job(self) -> None:
        self._menu_worker = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.import_button.setEnabled(True)
        has = self.model.session is not None and not self.model.read_only
        self.test_action.setEnabled(has)
        self.test_all_action.setEnabled(has)

    @Slot()
    def _on_cancel(self) -> None:
        if self._menu_worker is not None:
            self._menu_worker.cancel()
            self.message.show_message("正在取消…", "hint")

    @Slot(str)
    def _on_job_failed(self, text: str) -> None:
        self._end_job()
        self.message.show_message(text, "error")
        self.job_failed.emit(text)

    # --- monitoring import ---------------------------------------------------------------------------
    @Slot()
    def _on_import_clicked(self) -> None:
        if path := open_file(self, "导入监测数据", MONITOR_FILTER):
            self.import_monitoring(path)

    def import_monitoring(self, path: Path) -> None:
        round_id = self._loaded_round
        if round_id is None:
            return
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._jobs.start(MonitoringImportWorker(self._ctx.db_path, round_id, path), self._on_monitoring_imported,
                         self._on_job_failed, note=f"正在导入“{Path(path).name}”…")

    @Slot(object)
    def _on_monitoring_imported(self, result) -> None:
        self._end_job()
        if result.problems:
            self.message.show_message(result.summary(), "error")
            self._show_problems(ProblemListDialog(
                "导入监测数据", f"<b>发现 {len(result.problems)} 处问题，未导入任何监测数据。</b><br>"
                "请按下表在源文件中逐项更正并保存，再重新导入。", False,
                [("问题", PROBLEM_HEADERS, problem_rows(result.problems))], parent=self))
        else:
            self.reload_grid()
            kind = "warning" if result.unmapped else "ok"
            extra = ""
            if result.unmapped:
                extra = "本轮指标体系中没有“" + "、".join(media_rules.KIND_ZH.get(k, k) for k in result.unmapped) + "”的指标。"
            self.message.show_message(result.summary() + extra, kind)
            if result.skipped:
                self._show_problems(ProblemListDialog(
                    "导入监测数据", f"<b>{result.summary()}</b>", True,
                    [("已跳过", PROBLEM_HEADERS, problem_rows(result.skipped))], parent=self))
        self.monitoring_imported.emit(result)

    def _show_problems(self, dialog: ProblemListDialog) -> None:
        show_dialog(self, "problems_dialog", dialog, forget=True)

    # --- filters --------------------------------------------------------------------------------------
    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_counts()

    @Slot(bool)
    def _on_problems_only(self, on: bool) -> None:
        self.proxy.set_problems_only(on)
        self._update_counts()

    @Slot()
    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- layout memory --------------------------------------------------------------------------------
    def _layout(self) -> dict:
        return {"header": self.view.horizontalHeader()}

    def save_state(self, settings) -> None:
        super().save_state(settings)
        if self._loaded_round is not None:
            settings.setValue("media/round", self._loaded_round)

    def restore_state(self, settings) -> None:
        super().restore_state(settings)
        rid = settings.value("media/round")
        if rid is not None:
            try:
                self.round_combo.set_round(int(rid))
            except (TypeError, ValueError):
                pass
