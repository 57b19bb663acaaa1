"""A drop-down of the inspection rounds (newest first); pages that work on one round use it."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox

from app.core.rounds import rounds


def round_label(r) -> str:
    closed = "，已关闭" if r.closed else ""
    return f"{r.name}（监测时间点 {r.as_of}{closed}）"


class RoundCombo(QComboBox):
    round_changed = Signal(object)          # round id, or None when there is no round

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self._db = db
        self._current: int | None = None
        self.setMinimumContentsLength(26)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("选择检查轮次（在“检查轮次”中建立）")
        self.currentIndexChanged.connect(self._on_index_changed)
        self.reload()

    def reload(self) -> None:
        """Re-read the rounds, keeping the chosen one when it still exists."""
        keep = self._current
        items = rounds.list_rounds(self._db)
        self.blockSignals(True)
        self.clear()
        if not items:
            self.addItem("（还没有检查轮次）", None)
        for r in items:
            self.addItem(round_label(r), r.id)
        at = self.findData(keep) if keep is not None else -1
        self.setCurrentIndex(at if at >= 0 else 0)
        self.blockSignals(False)
        self._on_index_changed()

    def round_id(self) -> int | None:
        return self.currentData()

    def set_round(self, round_id: int, emit: bool = True) -> bool:
        """Choose a round (re-reading the list if it is new); ``emit=False`` stays quiet."""
        at = self.findData(round_id)
        if at < 0:
            self.blockSignals(not emit)
            self.reload()
            self.blockSignals(False)
            at = self.findData(round_id)
        if at >= 0:
            self.blockSignals(not emit)
            self.setCurrentIndex(at)
            self.blockSignals(False)
            if not emit:
                self._current = round_id
        return at >= 0

    @Slot()
    def _on_index_changed(self, _index: int = 0) -> None:
        rid = self.currentData()
        if rid != self._current:
            self._current = rid
            self.round_changed.emit(rid)
