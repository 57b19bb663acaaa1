"""Ctrl+E on the review grid: one account's service menus, wording errors, post count and notes.

The dialog does not write itself: OK hands the changes to ``save`` (the grid model's save),
and stays open with the reason when the core refuses them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout,
)

from app.core.followup.media_rules import ReviewRow

from .. import style
from ..table_models.list_model import EditableListModel, ListColumn
from ..widgets.choice_delegate import ChoiceDelegate
from .dialog_parts import ErrorLine, ok_cancel

MENU_RESULTS = (("未测试", None), ("可用", True), ("失效", False))
MENU_COLUMNS = (
    ListColumn("name", "菜单名称", width=150),
    ListColumn("url", "链接（网址或小程序路径）", width=300),
    ListColumn("ok", "能否使用", "choice", MENU_RESULTS, width=90),
    ListColumn("note", "测试情况", width=160),
)
WORDING_COLUMNS = (
    ListColumn("text", "错误文字", width=150),
    ListColumn("correction", "正确写法", width=150),
    ListColumn("screenshot", "截图文件", width=220),
    ListColumn("url", "文章链接", width=150),
    ListColumn("grave", "严重", "check", width=50),
)
SCREENSHOT_FILTER = "图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;所有文件 (*)"


def _menu_note(d: dict) -> str:
    if d.get("ok") is None:
        return ""
    if d.get("http_status"):
        return f"HTTP {d['http_status']}" + (f"，{d['checked_at']}" if d.get("checked_at") else "")
    return d.get("error") or "人工测试"


def _on_menu_edit(row: dict, key: str) -> None:
    """A changed link needs a new test; a result set by hand replaces the fetched one."""
    if key == "url":
        row.update(ok=None, http_status=None, checked_at="", error="")
    elif key == "ok":
        row.update(http_status=None, checked_at="", error="" if row.get("ok") is not False else "人工测试无法使用")
    row["note"] = _menu_note(row)


def _table(model, delegate_columns: dict | None = None) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                         | QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for col, c in enumerate(model.columns):
        view.setColumnWidth(col, c.width)
    for col, delegate in (delegate_columns or {}).items():
        view.setItemDelegateForColumn(col, delegate)
    view.setMinimumHeight(130)
    return view


class ObservationDialog(QDialog):
    def __init__(self, row: ReviewRow, save: Callable[[dict], str | None], parent=None):
        """``save(changes)`` returns None when saved, else the Chinese reason it was refused."""
        super().__init__(parent)
        self._save = save
        self.row = row
        self.setWindowTitle(f"检查记录—{row.name}")
        self.resize(820, 600)
        obs = row.obs
        who = QLabel(f"<b>{row.name}</b>　{row.platform}"
                     + (f"　{row.platform_account_id}" if row.platform_account_id else "")
                     + f"　<span style='color:#5f6368'>{row.unit_name}</span>")

        self.posts = QLineEdit("" if obs.posts_in_period is None else str(obs.posts_in_period))
        self.posts.setPlaceholderText("留空表示未统计")
        self.posts.setMaximumWidth(140)
        self.notes = QLineEdit(obs.notes)
        form = QFormLayout()
        form.addRow("期间发布条数", self.posts)
        form.addRow("备注", self.notes)

        menus = []
        for m in obs.menu_items:
            d = {"name": m.name, "url": m.url, "ok": m.ok, "http_status": m.http_status,
                 "checked_at": m.checked_at, "error": m.error}
            d["note"] = _menu_note(d)
            menus.append(d)
        self.menu_model = EditableListModel(MENU_COLUMNS, menus, self, on_edit=_on_menu_edit)
        self.menu_view = _table(self.menu_model, {2: ChoiceDelegate([lab for lab, _ in MENU_RESULTS], self)})
        menu_box = self._list_box("服务菜单", self.menu_model, self.menu_view,
                                  "每个菜单填名称和链接；“测试菜单链接”会自动测试网址，小程序等请手工选择能否使用。")

        wording = [{"text": w.text, "correction": w.correction, "screenshot": w.screenshot, "url": w.url,
                    "grave": w.grave} for w in obs.wording_errors]
        self.wording_model = EditableListModel(WORDING_COLUMNS, wording, self)
        self.wording_view = _table(self.wording_model)
        shot = QPushButton("选择截图…")
        shot.setToolTip("为选中的表述错误选择截图文件")
        shot.clicked.connect(self._on_choose_screenshot)
        wording_box = self._list_box("表述错误", self.wording_model, self.wording_view,
                                     "严重表述错误（如领导人姓名、职务、重要表述）请勾选“严重”，按单项否决处理。",
                                     extra=shot)

        self.error = ErrorLine()
        buttons = ok_cancel(self, "保存")
        save_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        save_shortcut.activated.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(menu_box, 1)
        layout.addWidget(wording_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _list_box(self, title: str, model: EditableListModel, view: QTableView, hint: str,
                  extra: QPushButton | None = None) -> QGroupBox:
        add = QPushButton("添加")
        remove = QPushButton("删除")
        add.clicked.connect(lambda: self._add(model, view))
        remove.clicked.connect(lambda: self._remove(model, view))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        if extra is not None:
            buttons.addWidget(extra)
        buttons.addStretch(1)
        buttons.addWidget(style.caption(hint))
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)
        return box

    @staticmethod
    def _add(model: EditableListModel, view: QTableView) -> None:
        row = model.add_row()
        index = model.index(row, 0)
        view.setCurrentIndex(index)
        view.edit(index)

    @staticmethod
    def _remove(model: EditableListModel, view: QTableView) -> None:
        index = view.currentIndex()
        if index.isValid():
            model.remove_row(index.row())

    @Slot()
    def _on_choose_screenshot(self) -> None:
        index = self.wording_view.currentIndex()
        if not index.isValid():
            if self.wording_model.rowCount() == 0:
                self.wording_model.add_row()
            index = self.wording_model.index(self.wording_model.rowCount() - 1, 0)
        path, _ = QFileDialog.getOpenFileName(self, "选择截图文件", "", SCREENSHOT_FILTER)
        if path:
            self.wording_model.set_value(index.row(), "screenshot", path)

    def changes(self) -> dict:
        """The edited fields as ReviewSession.save takes them (blank list rows dropped)."""
        menus = [{k: v for k, v in d.items() if k != "note"} for d in self.menu_model.rows()
                 if (d.get("name") or "").strip() or (d.get("url") or "").strip()]
        wording = [d for d in self.wording_model.rows()
                   if any((d.get(k) or "").strip() for k in ("text", "correction", "screenshot", "url"))]
        for d in wording:
            if d.get("screenshot"):
                d["screenshot"] = str(Path(d["screenshot"]))
        return {"posts_in_period": self.posts.text().strip(), "notes": self.notes.text().strip(),
                "menu_items": menus, "wording_errors": wording}

    def accept(self) -> None:
        # A cell still being edited (OK pressed with Ctrl+Enter): its text goes in first.
        editor = self.focusWidget()
        for view in (self.menu_view, self.wording_view):
            if editor is not None and view.state() == QAbstractItemView.State.EditingState \
                    and view.isAncestorOf(editor):
                view.commitData(editor)
        problem = self._save(self.changes())
        if problem:
            self.error.say(f"未保存：{problem}")
            return
        super().accept()
