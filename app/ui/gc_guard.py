"""Run Python's cyclic garbage collector in the GUI thread only.

CPython collects cycles in whichever thread happens to allocate. When a worker
thread collects a cycle holding a Qt object, Qt frees that object from the wrong
thread and the app crashes. So automatic collection is off and a timer in the
GUI thread collects instead (the approach calibre and pyqtgraph use).
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.start(interval_ms)

    @Slot()
    def _on_timeout(self) -> None:
        # Same generational thresholds as CPython's automatic collection.
        gen0, gen1, gen2 = gc.get_count()
        if gen0 > self.threshold[0]:
            gc.collect(0)
            if gen1 > self.threshold[1]:
                gc.collect(1)
                if gen2 > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
