"""Pieces the pages share: the Page base (context, jobs, layout memory), the page's column with
its heading, empty states, a message line, jobs that end with the window, the round drop-down,
record tables, dialogs and layout memory."""
from __future__ import annotations

import weakref

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStackedWidget, QTableView,
    QVBoxLayout, QWidget,
)

from .. import style
from ..parts import button, hbox, vbox
from ..workers import Jobs


def heading(title: str, subtitle: str) -> QHBoxLayout:
    """Title and subtitle as on the registry pages."""
    t = QLabel(title)
    t.setObjectName("pageTitle")
    s = QLabel(subtitle)
    s.setObjectName("pageSubtitle")
    row = QHBoxLayout()
    row.addWidget(t)
    row.addSpacing(10)
    row.addWidget(s, 0, Qt.AlignmentFlag.AlignBottom)
    row.addStretch(1)
    return row


def page_column(page: QWidget, title: str, subtitle: str, *parts) -> QVBoxLayout:
    """The page's own layout: the pages' margins, the heading, then ``parts`` top to bottom
    (as parts.fill() takes them)."""
    return vbox(heading(title, subtitle), *parts, parent=page, margins=(14, 12, 14, 6))


def empty_state(text: str, *buttons) -> QWidget:
    """What a page shows instead of an empty table: ``text`` centred, the ``buttons`` under it."""
    message = QLabel(text)
    message.setObjectName("placeholderText")
    message.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget = QWidget()
    vbox((None, 2), message, 12, hbox(None, *buttons, None), (None, 3), parent=widget)
    return widget


NO_ROUND = ("还没有检查轮次。\n先在“检查轮次”中新建一轮；名录还是空的话，先在“网站”“新媒体”中导入名录，"
            "或点 文件 → 载入示例名录。")


class EmptyStack(QStackedWidget):
    """A page's content, or in its place one of its empty states, each saying the next step:
    ``add_state(key, text, *buttons)`` once, then ``show_state(key)`` (None: the content)."""

    def __init__(self, content: QWidget):
        super().__init__()
        self.addWidget(content)
        self._states: dict[str, QWidget] = {}

    def add_state(self, key: str, text: str, *buttons) -> QWidget:
        widget = empty_state(text, *buttons)
        self._states[key] = widget
        self.addWidget(widget)
        return widget

    def show_state(self, key: str | None) -> None:
        self.setCurrentWidget(self._states[key] if key else self.widget(0))

    @property
    def state(self) -> str | None:
        return next((k for k, w in self._states.items() if w is self.currentWidget()), None)

    def text(self, key: str) -> str:
        return self._states[key].findChild(QLabel, "placeholderText").text()


def new_round_button(page: QWidget) -> QPushButton:
    """“新建检查轮次…”: to the 检查轮次 page with its dialog open (the next step of a page without rounds)."""
    def go() -> None:
        rounds_page = go_to(page, "rounds")
        if rounds_page is not None:
            rounds_page.open_new_round_dialog()
    return button("新建检查轮次…", go)


def page_button(page: QWidget, text: str, key: str) -> QPushButton:
    """A button that shows the main window's page ``key``."""
    return button(text, lambda: go_to(page, key))


class MessageLine(QLabel):
    """One line of feedback under a page's toolbar: ok / warning / error, optionally fading."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def show_message(self, text: str, kind: str = "ok", timeout_ms: int = 0) -> None:
        self.setStyleSheet({"ok": style.OK, "warning": style.WARNING, "error": style.ERROR}.get(kind, style.HINT))
        self.setText(text)
        self._timer.stop()
        if timeout_ms:
            self._timer.start(timeout_ms)


class ClosesWithWindow:
    """Mixin (before QWidget) for a page with ``shutdown()``: it runs when the page closes or when
    its top-level window does (watched from the first show on)."""

    _watched: QObject | None = None

    def showEvent(self, event) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._watched:
            window.installEventFilter(self)
            self._watched = window

    def eventFilter(self, obj, event) -> bool:
        if obj is self._watched and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


class PageJobs(Jobs):
    """Jobs of one page. When the top-level window closes, running workers are cancelled (if
    they can be) and waited for, so no thread outlives its window (the main window only waits
    for its own jobs)."""

    def __init__(self, page: QWidget):
        super().__init__(page)
        self._page = page
        self._watched: QObject | None = None

    def start(self, worker, finished=None, failed=None, *, busy=None, note: str = "", kind: str = "hint") -> None:
        """As Jobs.start; ``note`` is shown (as ``kind``) on the page's message line."""
        window = self._page.window()
        if window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window
        if note:
            self._page.message.show_message(note, kind)
        super().start(worker, finished, failed, busy=busy)

    def cancel_all(self) -> None:
        for _thread, worker in list(self._running):
            cancel = getattr(worker, "cancel", None)
            if cancel is not None:
                cancel()

    def eventFilter(self, obj, event) -> bool:
        if obj is self._watched and event.type() == QEvent.Type.Close and self.busy:
            self.cancel_all()
            self.wait_all()
        return False


class Page(QWidget):
    """Base of a main-window page: its context (``_ctx``, ``_db``), its jobs (``_jobs``, ending
    with its window unless ``jobs_class`` says otherwise) and its layout memory: save_state and
    restore_state keep the splitters and headers ``_layout()`` names under ``layout_key``."""

    layout_key = ""
    jobs_class = PageJobs

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self._ctx, self._db = ctx, ctx.db
        self._jobs = self.jobs_class(self)

    def _layout(self) -> dict:
        return {}

    def save_state(self, settings) -> None:
        save_layout(settings, self.layout_key, self._layout())

    def restore_state(self, settings) -> bool:
        """True when a stored layout was restored."""
        return restore_layout(settings, self.layout_key, self._layout())


class OneRound:
    """Mixin of a Page working on the round its round_selector() drop-down (``round_combo``)
    shows; ``round_setting`` names the setting that remembers it between sessions."""

    round_setting = ""

    def round_id(self) -> int | None:
        return self.round_combo.currentData()

    def _fill_rounds(self, found) -> None:
        """Refill the drop-down from ``found`` rounds, keeping the chosen one (else the
        remembered one), then _on_round_changed()."""
        current = self.round_combo.currentData()
        if current is None:
            current = self._ctx.settings.value(self.round_setting)
        fill_rounds(self.round_combo, found, current)
        self._on_round_changed()

    def _remember_round(self, round_id: int) -> None:
        self._ctx.settings.setValue(self.round_setting, round_id)


def go_to(widget: QWidget, key: str) -> QWidget | None:
    """Show page ``key`` of ``widget``'s main window and return that page (None outside one):
    how one page sends the user to the list behind a figure."""
    window = widget.window()
    pages = getattr(window, "pages", None)
    if not isinstance(pages, dict) or key not in pages or not hasattr(window, "show_page"):
        return None
    window.show_page(key)
    return pages[key]


def choose_round(page: QWidget, round_id: int) -> bool:
    """Select ``round_id`` in a page's round drop-down (a RoundCombo, or a round_selector() one)."""
    combo = getattr(page, "round_combo", None)
    if combo is None:
        return False
    if hasattr(combo, "set_round"):
        return combo.set_round(round_id)
    at = combo.findData(round_id)
    if at >= 0:
        combo.setCurrentIndex(at)
    return at >= 0


def round_selector(on_changed, label: str = "检查轮次") -> tuple[QComboBox, QLabel, QHBoxLayout]:
    """A row "label | drop-down of rounds | info line"; the caller fills the drop-down."""
    combo = QComboBox()
    combo.setMinimumContentsLength(16)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.currentIndexChanged.connect(on_changed)
    info = QLabel()
    info.setStyleSheet(style.HINT)
    row = QHBoxLayout()
    row.addWidget(QLabel(label))
    row.addWidget(combo)
    row.addSpacing(8)
    row.addWidget(info, 1)
    return combo, info, row


def fill_rounds(combo: QComboBox, found, current) -> None:
    """Refill a round_selector() drop-down from ``found`` rounds without signals, choosing
    ``current`` (a round id, or its text from the settings) if listed, else the first round."""
    combo.blockSignals(True)
    combo.clear()
    for r in found:
        combo.addItem(f"{r.name}（{r.as_of}）" + ("［已关闭］" if r.closed else ""), r.id)
    at = combo.findData(int(current)) if current not in (None, "") else -1
    combo.setCurrentIndex(at if at >= 0 else (0 if combo.count() else -1))
    combo.blockSignals(False)


_SINGLE = QAbstractItemView.SelectionMode.SingleSelection


def record_table(model, columns=None, sortable: bool = True, stretch_column: int | None = None, *,
                 view: QTableView | None = None, selection=_SINGLE,
                 elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight, movable: bool = False,
                 widths=None, fixed_rows: bool = False):
    """A read-only table view in the registry pages' look; widths from the Column specs.

    ``stretch_column`` takes the spare width instead of the last column (short figures last).
    ``view`` is a ready-made view (a subclass) to set up instead of a plain QTableView;
    ``selection`` the selection mode, or None to keep the view's own selection and editing.
    ``widths`` maps column → width (or lists widths in column order) instead of ``columns``;
    ``movable`` lets the user reorder columns; ``fixed_rows`` keeps row heights uniform."""
    view = QTableView() if view is None else view
    view.setModel(model)
    if selection is not None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(selection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(elide)
    view.verticalHeader().setVisible(False)
    if fixed_rows:
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionsMovable(movable)
    if widths is None:
        widths = [c.width for c in columns or ()]
    for col, width in (widths.items() if isinstance(widths, dict) else enumerate(widths)):
        view.setColumnWidth(col, width)
    if stretch_column is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    if sortable:
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)   # model order until the user sorts
        view.setSortingEnabled(True)
    return view


def show_dialog(owner: QObject, attr: str | None, dialog, *, forget: bool = False, **signals):
    """Open ``dialog`` with open() (window-modal, the event loop keeps running), deleted when it
    closes. ``owner.<attr>`` holds it meanwhile (tests and later calls reach it there), and
    with ``forget`` is set back to None when it closes; ``signals`` maps a dialog signal name
    to the slot it is connected to."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    for name, slot in signals.items():
        getattr(dialog, name).connect(slot)
    if attr:
        setattr(owner, attr, dialog)
        if forget:
            # Weak references only: a connection of the dialog that kept its owner alive could
            # free the owner's wrapper while Qt is deleting the owner (a crash on close).
            owner_ref, dialog_ref = weakref.ref(owner), weakref.ref(dialog)

            def _forget(*_):
                o = owner_ref()
                if o is not None and getattr(o, attr, None) is dialog_ref():
                    setattr(o, attr, None)
            dialog.finished.connect(_forget)
    dialog.open()
    return dialog


def save_layout(settings, prefix: str, parts: dict) -> None:
    """Store ``saveState()`` of each splitter or header under ``prefix/name``."""
    for name, part in parts.items():
        settings.setValue(f"{prefix}/{name}", part.saveState())


def restore_layout(settings, prefix: str, parts: dict) -> bool:
    """Restore what save_layout stored (missing entries are skipped); True if anything was."""
    restored = False
    for name, part in parts.items():
        state = settings.value(f"{prefix}/{name}")
        if state is not None:
            part.restoreState(state)
            restored = True
    return restored

