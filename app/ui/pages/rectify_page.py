"""The 整改 page: one round's notices per unit (deadlines in working days), their items with the
unit's answer editable in place, 复核 on a worker (progress, cancel) or by hand, and the exports.

GUI thread: reading notices and saving one item (short transactions); 复核 fetches and the
exports run on workers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QLabel, QProgressBar

from app.core.followup import rectify
from app.core.errors import GovInspectError
from app.core.rounds.findings import IndicatorIndex
from app.core.followup.workdays import as_date, load_calendar

from .. import style
from ..dialogs.rectify_dialogs import CreateNoticesDialog, ManualRecheckDialog, NoticeDatesDialog
from ..links import open_folder
from ..parts import button, hbox, make_record_current, panel, search_field, splitter
from ..review_workers import RecheckWorker, RectifyExportWorker
from ..table_models.records_model import Column, RecordsTableModel, SearchProxy
from ..widgets.choice_delegate import ChoiceDelegate
from ..widgets.round_combo import RoundCombo
from . import PageContext
from .page_parts import (
    NO_ROUND, EmptyStack, MessageLine, Page, new_round_button, page_button, page_column, record_table, show_dialog,
)

ALL_UNITS = 0
TYPE_ZH = {"site": "网站", "account": "新媒体"}
_RED, _ORANGE, _GREEN, _MUTED = QColor("#c5221f"), QColor("#a15c00"), QColor("#137333"), QColor("#9aa0a6")


def recheck_text(item: rectify.RectifyItem) -> str:
    if item.recheck_result:
        return item.recheck_result
    return rectify.NEEDS_MANUAL if item.recheck_note else ""


def evidence_text(item: rectify.RectifyItem) -> str:
    return "；".join(x for x in (item.url or item.page, item.evidence_text,
                                 f"截图 {Path(item.screenshot_path).name}" if item.screenshot_path else "") if x)


def target_text(item: rectify.RectifyItem) -> str:
    return item.target_name + (f"（{item.platform}）" if item.platform else "")


class NoticesModel(RecordsTableModel):
    """Notices with a first row for all units; the status column counts working days to the deadline."""

    def __init__(self, parent=None):
        self.today = dt.date.today()
        self.calendar = None
        columns = (
            Column("主办单位", lambda n: n.unit_name, width=150),
            Column("整改期限", lambda n: n.deadline, width=84),
            Column("事项", lambda n: str(len(n.items)), lambda n: len(n.items), width=40, centered=True),
            Column("未完成", lambda n: str(n.open_count), lambda n: n.open_count, width=50, centered=True),
            Column("进度", self.progress_text, width=110),
        )
        super().__init__(columns, parent)

    def progress_text(self, n: rectify.Notice) -> str:
        if not n.items:
            return ""
        if n.open_count == 0:
            return "已完成"
        if not n.deadline or self.calendar is None:
            return ""
        deadline = as_date(n.deadline)
        if self.today > deadline:
            return f"逾期 {self.calendar.workdays_between(deadline, self.today)} 个工作日"
        return f"剩 {self.calendar.workdays_between(self.today, deadline)} 个工作日"

    def foreground(self, n, column: int):
        if column == 4:
            text = self.progress_text(n)
            return _RED if text.startswith("逾期") else (_GREEN if text == "已完成" else None)
        if column == 3 and n.open_count:
            return _RED
        return None

    def tooltip(self, n, column: int) -> str | None:
        if n.issued_on:
            return f"{n.unit_name}　通知日期 {n.issued_on}　整改期限 {n.deadline}"
        return None


class ItemsModel(RecordsTableModel):
    """The items; 整改状态 and 单位反馈 are edited in place and saved with rectify.update_item."""

    STATUS, FEEDBACK, RECHECK = 2, 3, 4
    save_failed = Signal(str)
    item_saved = Signal(object)

    def __init__(self, db, parent=None):
        self._db = db
        self.indicator_names: dict[str, str] = {}
        columns = (   # what the inspector works on first; evidence and unit further right
            Column("检查对象", target_text, width=130),
            Column("问题", lambda i: i.detail or self.indicator_names.get(i.indicator_id, i.indicator_id), width=180),
            Column("整改状态", lambda i: i.status, width=66, centered=True),
            Column("单位反馈", lambda i: i.feedback, width=110),
            Column("复核结果", recheck_text, width=76, centered=True),
            Column("复核说明", lambda i: i.recheck_note, width=200),
            Column("链接及佐证", evidence_text, width=200),
            Column("主办单位", lambda i: i.unit_name or rectify.NO_UNIT, width=150),
        )
        super().__init__(columns, parent)

    def flags(self, index):
        base = super().flags(index)
        if index.isValid() and index.column() in (self.STATUS, self.FEEDBACK):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        editable = index.isValid() and index.column() in (self.STATUS, self.FEEDBACK)
        if role != Qt.ItemDataRole.EditRole or not editable:
            return False
        item = self.record(index.row())
        try:
            if index.column() == self.STATUS:
                new = rectify.update_item(self._db, item.id, status=str(value))
            else:
                new = rectify.update_item(self._db, item.id, feedback=str(value or ""))
        except GovInspectError as exc:
            self.save_failed.emit(str(exc))
            return False
        self.replace_record(index.row(), new)
        self.item_saved.emit(new)
        return True

    def foreground(self, item, column: int):
        if column == self.STATUS:
            return {"待整改": _RED, "已整改": _GREEN, "无需整改": _MUTED}.get(item.status)
        if column == self.RECHECK:
            text = recheck_text(item)
            return {"已整改": _GREEN, "未整改": _RED, "无法访问": _ORANGE, rectify.NEEDS_MANUAL: _ORANGE}.get(text)
        return None

    def tooltip(self, item, column: int) -> str | None:
        if column == 1:
            name = self.indicator_names.get(item.indicator_id, item.indicator_id)
            return f"{name}\n{item.detail}" if item.detail else name
        if column == self.STATUS:
            return "单位报告的整改情况：双击或按 F2 修改"
        if column == self.FEEDBACK:
            return (item.feedback or "") + "\n（双击或按 F2 填写单位反馈）"
        return super().tooltip(item, column)


class ItemsProxy(SearchProxy):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._notice_id = ALL_UNITS

    def set_notice(self, notice_id: int) -> None:
        if notice_id != self._notice_id:
            self.beginFilterChange()
            self._notice_id = notice_id
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self._notice_id != ALL_UNITS and self.sourceModel().record(source_row).notice_id != self._notice_id:
            return False
        return super().filterAcceptsRow(source_row, source_parent)


class RectifyPage(Page):
    notices_created = Signal(object)     # CreateResult
    recheck_finished = Signal(object)    # RecheckResult (summary or cancelled)
    exported = Signal(object)            # ExportResult
    job_failed = Signal(str)
    layout_key = "rectify"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._calendar = None
        self._recheck: RecheckWorker | None = None
        self._loaded_round: int | None = None
        self.fetcher = None                  # tests may set a fetcher for 复核
        self.today: dt.date | None = None
        self.export_folder: Path | None = None
        self.dialog = None
        self.notices: list[rectify.Notice] = []

        self.round_combo = RoundCombo(self._db)
        self.round_combo.round_changed.connect(self._on_round_changed)
        self.create_button = button("生成整改通知…", self.open_create_dialog,
                                    "为已确认的问题按主办单位生成整改通知，期限按工作日计算")
        self.recheck_button = button("复核", self.start_recheck,
                                     "重新访问每个整改事项的链接，自动判断是否已整改（无链接的需人工复核）")
        self.manual_button = button("人工复核…", self.open_manual_recheck)
        self.dates_button = button("修改期限…", self.open_dates_dialog, "修改选中整改通知的通知日期或整改期限")
        self.export_button = button("导出整改台账和通知单…", self._on_export_clicked)
        self.search = search_field("搜索对象、问题、反馈…", self._on_search_changed, 200)
        bar = hbox(QLabel("检查轮次"), self.round_combo, self.create_button, self.recheck_button, self.manual_button,
                   self.dates_button, self.export_button, None, spacing=6)

        self.message = MessageLine()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.cancel_button = button("取消复核", self.cancel_recheck)
        self.cancel_button.setVisible(False)
        self.open_folder_button = button("打开文件夹", self.open_export_folder)
        self.open_folder_button.setVisible(False)
        status = hbox((self.message, 1), self.progress, self.cancel_button, self.open_folder_button, self.search)

        self.notices_model = NoticesModel(self)
        self.notices_view = record_table(self.notices_model, self.notices_model.columns, sortable=False,
                                         stretch_column=0)
        self.notices_view.selectionModel().currentRowChanged.connect(self._on_notice_changed)
        self.notices_view.doubleClicked.connect(self._on_notice_double_clicked)
        self.items_model = ItemsModel(self._db, self)
        self.items_model.save_failed.connect(self._on_item_save_failed)
        self.items_model.item_saved.connect(self._on_item_saved)
        self.items_proxy = ItemsProxy(self)
        self.items_proxy.setSourceModel(self.items_model)
        self.items_view = record_table(self.items_proxy, self.items_model.columns)
        self.items_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                        | QAbstractItemView.EditTrigger.EditKeyPressed
                                        | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.items_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.items_view.setItemDelegateForColumn(ItemsModel.STATUS, ChoiceDelegate(rectify.ITEM_STATUSES, self))
        self.items_view.selectionModel().currentChanged.connect(self._update_actions)
        self.items_title = QLabel()
        self.items_title.setStyleSheet("font-weight: bold;")
        hint = style.caption("整改状态、单位反馈可直接修改（双击或 F2）；复核结果由“复核”自动判断，"
                             "或选中事项后点“人工复核”。")
        hint.setWordWrap(True)
        right = panel(self.items_title, (self.items_view, 1), hint)
        self.notices_title = QLabel("整改通知")
        self.notices_title.setStyleSheet("font-weight: bold;")
        left = panel(self.notices_title, (self.notices_view, 1))
        self.splitter = splitter(left, right, stretch=(0, 1), sizes=[430, 690])
        self.content = EmptyStack(self.splitter)
        self.content.add_state("no_round", NO_ROUND, new_round_button(self))
        self.content.add_state("no_notices", "本轮还没有整改通知。\n在“审核评分”中确认问题后，点“生成整改通知”："
                               "按主办单位各生成一份，整改期限按工作日计算。",
                               button("生成整改通知…", self.open_create_dialog), page_button(self, "去审核评分", "scores"))
        page_column(self, "整改", "按主办单位下发整改通知，跟踪整改反馈并复核", bar, status, (self.content, 1))
        self._update_actions()

    # --- loading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        self.round_combo.reload()
        if self.isVisible():
            self.load_round(self.round_combo.round_id())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.round_combo.reload()
        self.load_round(self.round_combo.round_id())      # findings may have been confirmed meanwhile

    @Slot(object)
    def _on_round_changed(self, round_id) -> None:
        if self.isVisible():
            self.load_round(round_id)

    def _today(self) -> dt.date:
        return self.today or dt.date.today()

    def load_round(self, round_id: int | None, keep_selection: bool = True) -> None:
        if round_id is not None and self.round_combo.round_id() != round_id:
            self.round_combo.set_round(round_id, emit=False)
        if self._calendar is None:
            self._calendar = load_calendar()
        notice_id = self.current_notice_id() if keep_selection and round_id == self._loaded_round else ALL_UNITS
        item_id = self.current_item().id if keep_selection and self.current_item() else None
        self._loaded_round = round_id
        self.notices = rectify.list_notices(self._db, round_id) if round_id is not None else []
        if round_id is not None:
            self.items_model.indicator_names = {
                i: ind.name for i, ind in IndicatorIndex.for_round(self._db, round_id).by_id.items()}
        items = [i for n in self.notices for i in n.items]
        self.items_model.set_records(items)
        self._show_notices(notice_id)
        if item_id is not None:
            self.select_item(item_id)
        self.content.show_state("no_round" if round_id is None else (None if self.notices else "no_notices"))
        self._update_actions()

    def _show_notices(self, notice_id: int) -> None:
        """The notices table (a first row for all units) from self.notices; keeps the chosen notice."""
        self.notices_model.today, self.notices_model.calendar = self._today(), self._calendar
        if self.notices:
            items = tuple(i for n in self.notices for i in n.items)
            everyone = rectify.Notice(ALL_UNITS, self._loaded_round, "全部单位", "", "", "", "", items)
            self.notices_model.set_records([everyone] + self.notices)
        else:
            self.notices_model.set_records([])
        self.select_notice(notice_id)
        total_open = sum(n.open_count for n in self.notices)
        self.notices_title.setText(f"整改通知（{len(self.notices)} 份，未完成事项 {total_open} 条）"
                                   if self.notices else "整改通知")

    def current_notice_id(self) -> int:
        index = self.notices_view.currentIndex()
        if not index.isValid():
            return ALL_UNITS
        return self.notices_model.record(index.row()).id

    def select_notice(self, notice_id: int) -> None:
        row = self.notices_model.row_of_id(notice_id)
        if row is None:
            row = 0
        if self.notices_model.rowCount():
            self.notices_view.selectionModel().setCurrentIndex(
                self.notices_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._on_notice_changed(self.notices_view.currentIndex(), QModelIndex())

    @Slot(QModelIndex, QModelIndex)
    def _on_notice_changed(self, current, _previous) -> None:
        notice = self.notices_model.record(current.row()) if current.isValid() else None
        self.items_proxy.set_notice(notice.id if notice else ALL_UNITS)
        if notice is not None:
            head = notice.unit_name if notice.id != ALL_UNITS else "全部单位"
            deadline = f"　整改期限 {notice.deadline}" if notice.deadline else ""
            self.items_title.setText(f"{head}：整改事项 {self.items_proxy.rowCount()} 条{deadline}")
        self._update_actions()

    def current_item(self) -> rectify.RectifyItem | None:
        index = self.items_view.currentIndex()
        if not index.isValid():
            return None
        return self.items_model.record(self.items_proxy.mapToSource(index).row())

    def select_item(self, item_id: int, column: int = 0) -> bool:
        return make_record_current(self.items_view, self.items_proxy, self.items_model, item_id, column, rows=False)

    @Slot()
    def _update_actions(self, *_args) -> None:
        has_round = self._loaded_round is not None
        busy = self._recheck is not None
        has_items = self.items_model.rowCount() > 0
        self.create_button.setEnabled(has_round and not busy)
        self.recheck_button.setEnabled(has_items and not busy)
        self.export_button.setEnabled(has_items)
        self.manual_button.setEnabled(self.current_item() is not None and not busy)
        self.dates_button.setEnabled(self.current_notice_id() != ALL_UNITS)

    # --- creating notices --------------------------------------------------------------------------
    @Slot()
    def open_create_dialog(self) -> CreateNoticesDialog | None:
        if self._loaded_round is None:
            return None
        return self._open(CreateNoticesDialog(self._db, self._loaded_round, self._today().isoformat(), self._calendar,
                                              self), created=self._on_notices_created)

    @Slot(object)
    def _on_notices_created(self, result) -> None:
        self.load_round(self._loaded_round)
        if result.items_added:
            text = f"已生成整改通知：新建 {result.created} 份，新增整改事项 {result.items_added} 条。"
            if result.calendar_note:
                text += result.calendar_note
            self.message.show_message(text, "warning" if result.calendar_note else "ok")
        else:
            self.message.show_message("没有新的已确认问题需要下发。请先在“审核评分”中确认问题。", "warning")
        self.notices_created.emit(result)

    @Slot()
    def _on_notice_double_clicked(self) -> None:
        self.open_dates_dialog()

    @Slot()
    def open_dates_dialog(self) -> NoticeDatesDialog | None:
        notice_id = self.current_notice_id()
        notice = next((n for n in self.notices if n.id == notice_id), None)
        if notice is None:
            return None
        return self._open(NoticeDatesDialog(self._db, notice, self), saved=self._on_dates_saved)

    @Slot(int)
    def _on_dates_saved(self, _notice_id: int) -> None:
        self.load_round(self._loaded_round)
        self.message.show_message("通知日期和整改期限已修改。", "ok", 5000)

    def _open(self, dialog, **signals):
        return show_dialog(self, "dialog", dialog, forget=True, **signals)

    # --- items ------------------------------------------------------------------------------------------
    @Slot(object)
    def _on_item_saved(self, item) -> None:
        # The item row is already updated; the notices' open counts follow from the items in
        # memory (no reset of the items table while its cell editor is closing).
        by_notice: dict[int, list] = {}
        for it in self.items_model.records:
            by_notice.setdefault(it.notice_id, []).append(it)
        self.notices = [replace(n, items=tuple(by_notice.get(n.id, ()))) for n in self.notices]
        self._show_notices(self.current_notice_id())
        self.message.show_message(f"已保存：{item.target_name}（{item.status}）", "ok", 4000)

    @Slot(str)
    def _on_item_save_failed(self, text: str) -> None:
        self.message.show_message(f"未保存。{text}", "error")

    @Slot()
    def open_manual_recheck(self) -> ManualRecheckDialog | None:
        item = self.current_item()
        if item is None:
            return None
        return self._open(ManualRecheckDialog(self._db, item, self), saved=self._on_manual_recheck_saved)

    @Slot(object)
    def _on_manual_recheck_saved(self, item) -> None:
        self.load_round(self._loaded_round)
        self.select_item(item.id)
        self.message.show_message(f"已记录人工复核：{item.target_name} {item.recheck_result or '（已清除）'}", "ok", 5000)

    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.items_proxy.set_search(text)

    # --- 复核 -----------------------------------------------------------------------------------------------
    @Slot()
    def start_recheck(self) -> None:
        if self._loaded_round is None or self._recheck is not None:
            return
        worker = RecheckWorker(self._ctx.db_path, self._loaded_round, self.fetcher)
        worker.progress.connect(self._on_recheck_progress)
        self._recheck = worker
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.message.show_message("正在复核：逐个访问整改事项的链接…", "hint")
        self._update_actions()
        self._jobs.start(worker, self._on_recheck_finished, self._on_recheck_failed)

    @Slot()
    def cancel_recheck(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
            self.message.show_message("正在取消复核…", "hint")

    @Slot(int, int, str)
    def _on_recheck_progress(self, done: int, total: int, url: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.message.show_message(f"正在复核 {done}/{total}：{url}", "hint")

    def _end_recheck(self) -> None:
        self._recheck = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self._update_actions()

    @Slot(object)
    def _on_recheck_finished(self, result) -> None:
        self._end_recheck()
        if result.cancelled:
            self.message.show_message("复核已取消，未记录任何结果。", "warning")
        else:
            s = result.summary
            parts = [f"已整改 {s.count('已整改')}", f"未整改 {s.count('未整改')}", f"无法访问 {s.count('无法访问')}"]
            if s.undecided:
                parts.append(f"需人工复核 {s.undecided}")
            extra = []
            if s.manual:
                extra.append(f"{len(s.manual)} 条没有链接，需人工复核")
            if s.skipped:
                extra.append(f"{len(s.skipped)} 条无需整改，未复核")
            self.load_round(self._loaded_round)
            self.message.show_message("复核完成：" + "，".join(parts) + ("；" + "；".join(extra) if extra else "") + "。",
                                      "warning" if s.count("未整改") or s.count("无法访问") or s.undecided else "ok")
        self.recheck_finished.emit(result)

    @Slot(str)
    def _on_recheck_failed(self, text: str) -> None:
        self._end_recheck()
        self.message.show_message(f"复核未完成：{text}", "error")
        self.job_failed.emit(text)

    # --- export -------------------------------------------------------------------------------------------
    @Slot()
    def _on_export_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择导出文件夹", str(Path.home()))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        if self._loaded_round is None:
            return
        self.export_folder = Path(folder)
        self.open_folder_button.setVisible(False)
        self._jobs.start(RectifyExportWorker(self._ctx.db_path, self._loaded_round, folder), self._on_exported,
                         self._on_export_failed, busy=self.export_button, note="正在导出整改台账和整改通知单…")

    @Slot(object)
    def _on_exported(self, result) -> None:
        self.message.show_message(f"已导出整改台账（{result.items} 条）和 {len(result.notices)} 份整改通知单到 "
                                  f"{self.export_folder}", "ok")
        self.open_folder_button.setVisible(True)
        self.exported.emit(result)

    @Slot(str)
    def _on_export_failed(self, text: str) -> None:
        self.message.show_message(f"导出失败：{text}", "error")
        self.job_failed.emit(text)

    @Slot()
    def open_export_folder(self) -> None:
        if self.export_folder is not None:
            open_folder(self.export_folder)

    def _layout(self) -> dict:
        return {"splitter": self.splitter, "header": self.items_view.horizontalHeader()}
