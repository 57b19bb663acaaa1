"""Builders the pages, dialogs and widgets share: box layouts, buttons, actions, text-only
toolbars, search lines, read-only trees, making a row current, and asking for a file."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QBoxLayout, QFileDialog, QFormLayout, QHBoxLayout, QLayout, QLineEdit, QPushButton, QSplitter, QToolBar,
    QTreeView, QVBoxLayout, QWidget,
)


def fill(layout: QBoxLayout, *parts) -> QBoxLayout:
    """Add ``parts`` in order: a widget or layout, (widget or layout, stretch), an int (spacing)
    or None (a stretch; (None, n) a stretch of factor n)."""
    for part in parts:
        stretch = 0
        if isinstance(part, tuple):
            part, stretch = part
        if part is None:
            layout.addStretch(stretch or 1)
        elif isinstance(part, int):
            layout.addSpacing(part)
        elif isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def hbox(*parts, spacing: int | None = None) -> QHBoxLayout:
    """A row of ``parts`` (as fill() takes them)."""
    row = QHBoxLayout()
    if spacing is not None:
        row.setSpacing(spacing)
    return fill(row, *parts)


def vbox(*parts, parent: QWidget | None = None, margins: tuple[int, int, int, int] | None = None) -> QVBoxLayout:
    """A column of ``parts`` (as fill() takes them), the layout of ``parent`` if given."""
    column = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    if margins is not None:
        column.setContentsMargins(*margins)
    return fill(column, *parts)


def form(*rows: tuple[str, QWidget | QLayout], parent: QWidget | None = None) -> QFormLayout:
    """A form of (label, field) rows, fields growing with the window."""
    layout = QFormLayout(parent) if parent is not None else QFormLayout()
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for label, field_ in rows:
        layout.addRow(label, field_)
    return layout


def button(text: str, slot=None, tip: str = "") -> QPushButton:
    """A push button calling ``slot`` when clicked."""
    b = QPushButton(text)
    if tip:
        b.setToolTip(tip)
    if slot is not None:
        b.clicked.connect(slot)
    return b


def action(parent: QWidget, text: str, slot=None, tip: str = "", shortcut=None) -> QAction:
    """An action of ``parent`` calling ``slot``; a ``shortcut`` works while focus is within the parent."""
    a = QAction(text, parent)
    if tip:
        a.setToolTip(tip)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    if slot is not None:
        a.triggered.connect(slot)
    return a


def text_toolbar(*actions: QAction) -> QToolBar:
    """A toolbar of ``actions`` shown as text only."""
    bar = QToolBar()
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addActions(list(actions))
    return bar


def tree_view(model) -> QTreeView:
    """A read-only tree of ``model`` with uniform, alternating rows."""
    tree = QTreeView()
    tree.setModel(model)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return tree


def make_current(view: QAbstractItemView, index, rows: bool = True) -> bool:
    """Make ``index`` (of the view's model) current, selected alone (its whole row with
    ``rows``) and scrolled to; False when it is not a valid index."""
    if not index.isValid():
        return False
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    if rows:
        flags |= QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().setCurrentIndex(index, flags)
    view.scrollTo(index)
    return True


def make_record_current(view: QAbstractItemView, proxy, model, record_id, column: int = 0,
                        rows: bool = True) -> bool:
    """make_current() for the record ``record_id`` of ``model`` (it has row_of_id), shown
    through ``proxy``; False when it is not there or filtered out."""
    row = model.row_of_id(record_id)
    if row is None:
        return False
    return make_current(view, proxy.mapFromSource(model.index(row, column)), rows)


def search_field(placeholder: str, slot=None, min_width: int = 0, max_width: int = 0) -> QLineEdit:
    """A line to search or filter by, with a clear button; ``slot`` gets each change of text."""
    line = QLineEdit()
    line.setPlaceholderText(placeholder)
    line.setClearButtonEnabled(True)
    if min_width:
        line.setMinimumWidth(min_width)
    if max_width:
        line.setMaximumWidth(max_width)
    if slot is not None:
        line.textChanged.connect(slot)
    return line


def open_file(parent: QWidget, title: str, filters: str, folder: str = "") -> Path | None:
    """The file the user picks to open, None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, folder, filters)
    return Path(path) if path else None


def splitter(*widgets: QWidget, vertical: bool = False, stretch: tuple[int, ...] = (),
             sizes: list[int] | None = None, collapsible: bool = True) -> QSplitter:
    """``widgets`` side by side (or one above the other), with their stretch factors and sizes;
    ``collapsible`` False keeps every part visible."""
    split = QSplitter(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
    for w in widgets:
        split.addWidget(w)
    for i, factor in enumerate(stretch):
        split.setStretchFactor(i, factor)
    split.setChildrenCollapsible(collapsible)
    if sizes:
        split.setSizes(sizes)
    return split


def panel(*parts) -> QWidget:
    """A plain widget holding ``parts`` (as fill() takes them) in a column without margins."""
    w = QWidget()
    vbox(*parts, parent=w, margins=(0, 0, 0, 0))
    return w
