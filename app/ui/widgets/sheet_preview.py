"""Preview of one annex table: title, a frozen one- or two-level header with merged cells,
the body (merged cells as spans) and the notes printed under the table."""
from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QTableView, QVBoxLayout, QWidget,
)

from ..style import HINT
from ..table_models.sheet_model import SheetHeaderModel, SheetTableModel

_SAMPLE_ROWS = 300          # rows measured to fit a column (big checklists stay quick)
_MIN_WIDTH, _MAX_WIDTH = 48, 420
_ROW_HEIGHT = 24


def _view() -> QTableView:
    view = QTableView()
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.horizontalHeader().setVisible(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
    view.horizontalHeader().setMinimumSectionSize(_MIN_WIDTH)
    return view


class SheetPreview(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = SheetTableModel(parent=self)
        self.header_model = SheetHeaderModel(parent=self)

        self.title = QLabel()
        self.title.setObjectName("sheetTitle")
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold; color: #202124;")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet(HINT)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self.header_view = _view()
        self.header_view.setModel(self.header_model)
        self.header_view.setWordWrap(True)
        self.header_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.header_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header_view.setFrameShape(QFrame.Shape.NoFrame)
        self.header_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.view = _view()
        self.view.setModel(self.model)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        # Always on, so that the header above (a spacer of the same width) stays aligned.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.horizontalScrollBar().valueChanged.connect(self._on_scrolled)

        spacer = QWidget()
        spacer.setFixedWidth(self.view.verticalScrollBar().sizeHint().width())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(0)
        top.addWidget(self.header_view, 1)
        top.addWidget(spacer)

        frame = QFrame()
        frame.setObjectName("sheetFrame")
        frame.setStyleSheet("QFrame#sheetFrame { border: 1px solid #dfe3e8; background: white; }")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(1, 1, 1, 1)
        inner.setSpacing(0)
        inner.addLayout(top)
        inner.addWidget(self.view, 1)

        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet("color: #3c4043;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(frame, 1)
        layout.addWidget(self.notes)
        self.set_table(None)

    def set_table(self, table) -> None:
        self.view.clearSpans()
        self.header_view.clearSpans()
        self.model.set_table(table)
        self.header_model.set_table(table)
        self.title.setText(table.title if table is not None else "")
        self.subtitle.setText(table.subtitle if table is not None else "")
        self.subtitle.setVisible(bool(table is not None and table.subtitle))
        self.notes.setText("\n".join(table.notes) if table is not None else "")
        self.notes.setVisible(bool(table is not None and table.notes))
        if table is None:
            return
        for r, c, r2, c2 in self.header_model.merges():
            if (r2 - r) or (c2 - c):
                self.header_view.setSpan(r, c, r2 - r + 1, c2 - c + 1)
        for r, c, r2, c2 in self.model.merges():
            if (r2 - r) or (c2 - c):
                self.view.setSpan(r, c, r2 - r + 1, c2 - c + 1)
        self._fit_columns(table)
        # Header rows as tall as their wrapped captions (a tiny model: cheap to measure).
        self.header_view.resizeRowsToContents()
        for r in range(self.header_model.rowCount()):
            self.header_view.setRowHeight(r, max(28, self.header_view.rowHeight(r) + 4))
        rows = self.header_model.rowCount()
        height = sum(self.header_view.rowHeight(r) for r in range(rows))
        self.header_view.setFixedHeight(height + 1)

    def _fit_columns(self, table) -> None:
        fm = self.view.fontMetrics()
        bold = self.header_view.font()
        bold.setBold(True)
        hfm = type(fm)(bold)
        grid, merges = table.header_grid()
        spanned = {(r, c) for r, c, r2, c2 in merges if c2 > c}
        n = min(self.model.rowCount(), _SAMPLE_ROWS)
        merged_cells = {(r, c) for r, c, r2, c2 in table.merges if c2 > c}
        cap = hfm.horizontalAdvance("中" * 7)
        for col, spec in enumerate(table.columns):
            # Long captions wrap onto two lines in the header rather than widen the column.
            widths = [min(hfm.horizontalAdvance(grid[r][col]), cap) + 16
                      for r in range(len(grid)) if (r, col) not in spanned and grid[r][col]]
            widths += [fm.horizontalAdvance(self.model.text(r, col)) + 14
                       for r in range(n) if (r, col) not in merged_cells]
            width = max(widths or [_MIN_WIDTH])
            if spec.width:
                width = min(width, int(spec.width * fm.horizontalAdvance("0") * 1.4) + 14)
            width = max(_MIN_WIDTH, min(_MAX_WIDTH, width))
            self.view.setColumnWidth(col, width)
            self.header_view.setColumnWidth(col, width)

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        self.header_view.horizontalScrollBar().setValue(value)
