"""Main window: navigation pane, page stack, menus, status bar counts, remembered layout."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QFileDialog, QHBoxLayout, QLabel, QListView, QMainWindow, QMessageBox,
    QStackedWidget, QWidget,
)

from app import APP_NAME, APP_NAME_EN, __version__
from app.core.registry import registry
from app.core.errors import GovInspectError

from .pages import PAGES, PageContext, PageSpec
from .pages.page_parts import show_dialog
from .style import app_icon
from .workers import ExportWorker, Jobs

log = logging.getLogger(__name__)
PAGE_SHORTCUTS = 9            # Ctrl+1 … Ctrl+9

try:   # the demo registry is optional: the menu item is disabled without it
    from app.core.registry.demo import build_demo
except ImportError:  # pragma: no cover - depends on the build
    build_demo = None


class MainWindow(QMainWindow):
    def __init__(self, db, db_path: Path, settings: QSettings | None = None,
                 pages: list[PageSpec] | None = None, parent=None):
        super().__init__(parent)
        self.db, self.db_path = db, Path(db_path)
        self.settings = settings if settings is not None else QSettings()
        self._jobs = Jobs(self)
        self.setWindowTitle(f"{APP_NAME} {APP_NAME_EN}")
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)

        ctx = PageContext(db, self.db_path, self.settings)
        self.specs = list(PAGES if pages is None else pages)
        self.pages: dict[str, QWidget] = {}
        self.stack = QStackedWidget()
        self.nav_model = QStandardItemModel(self)
        self.page_actions: list[QAction] = []
        for n, spec in enumerate(self.specs, start=1):
            page = spec.factory(ctx)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QStandardItem(spec.label)
            item.setEditable(False)
            item.setData(spec.key, Qt.ItemDataRole.UserRole)
            item.setSizeHint(QSize(0, 38))
            if n <= PAGE_SHORTCUTS:
                item.setToolTip(f"{spec.label}（Ctrl+{n}）")
                self.page_actions.append(self._page_action(spec.key, n))
            self.nav_model.appendRow(item)
            self._connect_page(page)
        self.nav = QListView()
        self.nav.setObjectName("navigation")
        self.nav.setModel(self.nav_model)
        self.nav.setFixedWidth(150)
        self.nav.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.nav.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.nav.selectionModel().currentChanged.connect(self._on_nav_changed)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.counts_label = QLabel()
        self.statusBar().addWidget(self.counts_label, 1)
        db_label = QLabel(self.db_path.name)
        db_label.setToolTip(f"数据库文件：{self.db_path}")
        self.statusBar().addPermanentWidget(db_label)
        self._restore_layout()
        self._on_summary_changed()

    # --- building ------------------------------------------------------------------------------
    def _page_action(self, key: str, n: int) -> QAction:
        act = QAction(self)
        act.setShortcut(QKeySequence(f"Ctrl+{n}"))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False, key=key: self.show_page(key))
        self.addAction(act)
        return act

    def _connect_page(self, page: QWidget) -> None:
        if hasattr(page, "summary_changed"):
            page.summary_changed.connect(self._on_summary_changed)
        if hasattr(page, "import_requested"):
            page.import_requested.connect(self.open_import_wizard)
        if hasattr(page, "demo_requested"):
            page.demo_requested.connect(self.load_demo)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.import_sites_action = QAction("导入网站名录…", self)
        self.import_sites_action.triggered.connect(self._on_import_sites)
        self.import_accounts_action = QAction("导入新媒体名录…", self)
        self.import_accounts_action.triggered.connect(self._on_import_accounts)
        self.export_action = QAction("导出名录…", self)
        self.export_action.triggered.connect(self._on_export)
        self.demo_action = QAction("载入示例名录", self)
        self.demo_action.triggered.connect(self.load_demo)
        if build_demo is None:
            self.demo_action.setEnabled(False)
            self.demo_action.setToolTip("此版本未包含示例名录")
        self.quit_action = QAction("退出", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        file_menu.addActions([self.import_sites_action, self.import_accounts_action])
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.about_action = QAction("关于政网巡检", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    # --- navigation and status -------------------------------------------------------------
    def show_page(self, key: str) -> None:
        keys = [s.key for s in self.specs]
        if key in keys:
            self.nav.setCurrentIndex(self.nav_model.index(keys.index(key), 0))

    def current_page_key(self) -> str:
        return self.specs[self.stack.currentIndex()].key

    @Slot()
    def _on_nav_changed(self, current, _previous=None) -> None:
        if current.isValid():
            self.stack.setCurrentIndex(current.row())

    @Slot()
    def _on_summary_changed(self) -> None:
        parts = [p.status_summary() for p in self.pages.values() if hasattr(p, "status_summary")]
        self.counts_label.setText(" · ".join(parts))

    def reload_pages(self) -> None:
        for page in self.pages.values():
            if hasattr(page, "reload"):
                page.reload()

    # --- import / export / demo ------------------------------------------------------------------
    @Slot()
    def _on_import_sites(self) -> None:
        self.open_import_wizard("site")

    @Slot()
    def _on_import_accounts(self) -> None:
        self.open_import_wizard("account")

    @Slot(str)
    def open_import_wizard(self, kind: str):
        from .import_wizard import ImportWizard
        return show_dialog(self, "import_wizard", ImportWizard(self.db_path, kind, self), imported=self._on_imported)

    @Slot(object)
    def _on_imported(self, result) -> None:
        self.reload_pages()
        self.statusBar().showMessage(
            f"导入完成：新增 {result.inserted} 条，更新 {result.updated} 条，未变 {result.unchanged} 条。", 15000)

    @Slot()
    def _on_export(self) -> None:
        default = Path.home() / f"政务网站与新媒体名录-{dt.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出名录", str(default), "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self._export_path = path
        worker = ExportWorker(self.db_path, path)
        worker.finished.connect(self._on_export_finished)
        worker.failed.connect(self._on_export_failed)
        self.export_action.setEnabled(False)
        self.statusBar().showMessage("正在导出名录…")
        self._jobs.start(worker)

    @Slot(object)
    def _on_export_finished(self, counts: dict) -> None:
        self.export_action.setEnabled(True)
        self.statusBar().showMessage(
            f"已导出 {counts.get('site', 0)} 个网站、{counts.get('account', 0)} 个新媒体账号到 {self._export_path}", 15000)

    @Slot(str)
    def _on_export_failed(self, message: str) -> None:
        self.export_action.setEnabled(True)
        self.statusBar().clearMessage()
        self._notify(QMessageBox.Icon.Warning, "导出失败", message)

    @Slot()
    def load_demo(self) -> None:
        if build_demo is None:
            return
        counts = registry.counts(self.db)
        if counts["sites"] or counts["accounts"]:
            self._notify(QMessageBox.Icon.Information, "载入示例名录",
                         f"当前名录中已有 {counts['sites']} 个网站、{counts['accounts']} 个新媒体账号。"
                         "示例名录只能载入到空名录中，以免与真实数据混在一起。\n\n"
                         "如需体验，请用另一个数据库文件启动：python -m app --db 示例.sqlite")
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            made = build_demo(self.db)
        except GovInspectError as exc:
            QGuiApplication.restoreOverrideCursor()
            self._notify(QMessageBox.Icon.Warning, "载入示例名录", str(exc))
            return
        QGuiApplication.restoreOverrideCursor()
        self.reload_pages()
        self.statusBar().showMessage(
            f"已载入示例名录：{made.get('sites', 0)} 个网站、{made.get('accounts', 0)} 个新媒体账号。", 15000)

    # --- dialogs ---------------------------------------------------------------------------------
    def _notify(self, icon, title: str, text: str) -> QMessageBox:
        """A window-modal message that does not block the event loop (tests stay scriptable)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        self.last_message = box
        box.open()
        return box

    @Slot()
    def show_about(self) -> QMessageBox:
        box = self._notify(QMessageBox.Icon.NoIcon, f"关于{APP_NAME}", "")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            f"<h3>{APP_NAME} {APP_NAME_EN}</h3>"
            f"<p>版本 {__version__}</p>"
            "<p>面向政府网站与政务新媒体检查人员的桌面工作台：名录管理、检查、评分与整改。</p>"
            f"<p>数据库文件：<br><code>{self.db_path}</code></p>")
        return box

    # --- layout memory ------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        s = self.settings
        geometry = s.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("main/state")
        if state is not None:
            self.restoreState(state)
        for page in self.pages.values():
            if hasattr(page, "restore_state"):
                page.restore_state(s)
        self.show_page(self.specs[0].key)          # the home page (总览), whatever was open last

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/state", self.saveState())
        for page in self.pages.values():
            if hasattr(page, "save_state"):
                page.save_state(s)
        s.sync()

    def closeEvent(self, event) -> None:
        self.save_layout()
        self._jobs.wait_all()
        super().closeEvent(event)
