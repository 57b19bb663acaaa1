"""The 网站 / 新媒体 registry page: table with instant search, filters and record actions."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QStackedWidget, QTableView, QWidget

from app.core.registry import registry, vocab

from ..dialogs.history_dialog import HistoryDialog
from ..dialogs.regions_dialog import RegionsDialog
from ..dialogs.record_dialog import RecordDialog
from ..dialogs.status_dialog import StatusDialog
from ..parts import action, button, hbox, make_record_current, search_field, text_toolbar
from ..table_models.registry_model import COLUMN_KEYS, COLUMN_WIDTHS, ID_ROLE, RegistryTableModel
from ..table_models.registry_proxy import RUNNING_ONLY, STOPPED_ONLY, RegistryFilterProxy
from . import PageContext
from .page_parts import Page, empty_state, page_column, record_table, show_dialog

TEXT = {
    "site": {
        "title": "政府网站名录", "subtitle": "网站基本信息、运行状态与联系人",
        "noun": "网站", "stop": "关停…", "group_all": "全部类别",
        "group_items": vocab.SITE_CATEGORIES, "statuses": vocab.SITE_STATUSES,
        "empty": "名录中还没有网站。", "import": "导入网站名录…",
    },
    "account": {
        "title": "政务新媒体名录", "subtitle": "各平台账号、主办单位与运行状态",
        "noun": "新媒体", "stop": "注销…", "group_all": "全部平台",
        "group_items": vocab.PLATFORMS, "statuses": vocab.ACCOUNT_STATUSES,
        "empty": "名录中还没有新媒体账号。", "import": "导入新媒体名录…",
    },
}


class RegistryPage(Page):
    summary_changed = Signal()
    import_requested = Signal(str)      # kind
    demo_requested = Signal()

    def __init__(self, ctx: PageContext, kind: str, parent=None):
        super().__init__(ctx, parent)
        self.kind, self.layout_key = kind, f"registry/{kind}"
        text = TEXT[kind]
        self.model = RegistryTableModel(kind, self)
        self.proxy = RegistryFilterProxy(self)
        self.proxy.setSourceModel(self.model)


        # Both registry pages live in one window: a shortcut acts on the page that has focus.
        self.add_action = action(self, "新增", self.add_record, f"新增一条{text['noun']}记录",
                                 QKeySequence.StandardKey.New)
        self.addAction(self.add_action)
        self.edit_action = action(self, "编辑", self.edit_selected, "编辑选中的记录（也可双击）")
        self.status_action = action(self, text["stop"], self.change_status_selected, "变更运行状态并记录日期（记录不会被删除）")
        self.history_action = action(self, "状态历史", self.show_history_selected, "查看选中记录的开设、关停、恢复等历史")
        self.regions_action = action(self, "地区结构", self.edit_regions,
                                     "地区的分组、级别和排序：通报附件的行序和通报范围（全省/全市）")
        toolbar = text_toolbar(self.add_action, self.edit_action, self.status_action, self.history_action,
                               self.regions_action)

        self.search = search_field("搜索名称、标识码、单位…" if kind == "site" else "搜索名称、账号ID、单位…",
                                   self._on_search_changed, 240)
        self.addAction(action(self, "", self._focus_search, shortcut=QKeySequence.StandardKey.Find))
        self.region_filter = QComboBox()
        self.region_filter.setMinimumContentsLength(8)
        self.region_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.group_filter = QComboBox()
        self.group_filter.addItem(text["group_all"], None)
        for item in text["group_items"]:
            self.group_filter.addItem(item, item)
        self.status_filter = QComboBox()
        self.status_filter.addItem("全部状态", None)
        self.status_filter.addItem("运行中", RUNNING_ONLY)
        self.status_filter.addItem("已停用", STOPPED_ONLY)
        self.status_filter.insertSeparator(3)
        for item in text["statuses"]:
            self.status_filter.addItem(item, item)
        for combo in (self.region_filter, self.group_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        bar = hbox(toolbar, None, (self.search, 2), self.region_filter, self.group_filter, self.status_filter,
                   spacing=6)

        self.view = self._build_view()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self._build_empty_state(text))
        page_column(self, text["title"], text["subtitle"], bar, (self.stack, 1))
        self.reload()

    def _build_view(self) -> QTableView:
        view = record_table(self.proxy, elide=Qt.TextElideMode.ElideMiddle, movable=True,
                            widths=[COLUMN_WIDTHS.get(key, 120) for key in COLUMN_KEYS[self.kind]])
        view.doubleClicked.connect(self._on_double_clicked)
        view.selectionModel().selectionChanged.connect(self._update_actions)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        view.addActions([self.edit_action, self.status_action, self.history_action])
        return view

    def _build_empty_state(self, text) -> QWidget:
        return empty_state(text["empty"] + "\n可以从 Excel/CSV 导入现有名录，或先载入示例名录熟悉功能。",
                           button(text["import"], self._on_import_clicked),
                           button("载入示例名录", self.demo_requested), button("手工新增", self.add_record))

    # --- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the whole registry of this kind (after imports and demo loads)."""
        self.model.set_records(registry.list_records(self._db, self.kind))
        self._refresh_regions()
        self._after_change()

    def _refresh_regions(self) -> None:
        current = self.region_filter.currentData()
        names = list(dict.fromkeys(r.region for r in self.model.rows if r.region))
        self.region_filter.blockSignals(True)
        self.region_filter.clear()
        self.region_filter.addItem("全部地区", None)
        for name in names:
            self.region_filter.addItem(name, name)
        at = self.region_filter.findData(current) if current else 0
        self.region_filter.setCurrentIndex(max(at, 0))
        self.region_filter.blockSignals(False)
        if current and at < 0:
            self._on_filters_changed()

    def _after_change(self) -> None:
        self.stack.setCurrentIndex(0 if self.model.rowCount() else 1)
        self._update_actions()
        self.summary_changed.emit()

    def status_summary(self) -> str:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        text = f"{TEXT[self.kind]['noun']} {total} 个"
        if self.proxy.is_filtered:
            text += f"（显示 {shown}）"
        return text

    # --- filters ------------------------------------------------------------------------------
    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self.summary_changed.emit()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.proxy.set_region(self.region_filter.currentData())
        self.proxy.set_group(self.group_filter.currentData())
        self.proxy.set_status(self.status_filter.currentData())
        self._update_actions()
        self.summary_changed.emit()

    @Slot()
    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- selection and actions -------------------------------------------------------------
    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def select_id(self, record_id: int) -> None:
        make_record_current(self.view, self.proxy, self.model, record_id)

    @Slot()
    def _update_actions(self) -> None:
        has = self.selected_id() is not None
        for a in (self.edit_action, self.status_action, self.history_action):
            a.setEnabled(has)

    def _selected_record(self) -> dict | None:
        record_id = self.selected_id()
        return registry.get_record(self._db, self.kind, record_id) if record_id is not None else None

    def _open(self, dialog) -> None:
        slots = {"saved": self._on_record_saved} if hasattr(dialog, "saved") else {}
        show_dialog(self, None, dialog, **slots)

    @Slot()
    def add_record(self) -> None:
        self._open(RecordDialog(self._db, self.kind, None, self))

    def _open_for_selected(self, dialog_class) -> None:
        record = self._selected_record()
        if record:
            self._open(dialog_class(self._db, self.kind, record, self))

    @Slot()
    def edit_selected(self) -> None:
        self._open_for_selected(RecordDialog)

    @Slot()
    def change_status_selected(self) -> None:
        self._open_for_selected(StatusDialog)

    @Slot()
    def show_history_selected(self) -> None:
        self._open_for_selected(HistoryDialog)

    @Slot()
    def _on_double_clicked(self) -> None:
        self.edit_selected()

    @Slot()
    def edit_regions(self) -> None:
        dialog = RegionsDialog(self._db, self)
        dialog.exec()
        self.reload()

    @Slot()
    def _on_import_clicked(self) -> None:
        self.import_requested.emit(self.kind)

    @Slot(int)
    def _on_record_saved(self, record_id: int) -> None:
        record = registry.get_record(self._db, self.kind, record_id)
        if record is None:
            return
        self.model.upsert_record(record)
        if record.get("region") and self.region_filter.findData(record["region"]) < 0:
            self._refresh_regions()
        self._after_change()
        self.select_id(record_id)

    # --- layout memory -----------------------------------------------------------------------
    def _layout(self) -> dict:
        return {"header": self.view.horizontalHeader()}

    def restore_state(self, settings) -> bool:
        if not super().restore_state(settings):
            return False
        header = self.view.horizontalHeader()
        self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return True
