"""Workers of the 可用性监测 page: the monitor itself (runs until cancelled) and the reload of the
per-site table. Each runs on a QThread started by PageJobs and hands only plain data back."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.crawl.monitor import Monitor, MonitorOptions
from app.core.crawl.probe_store import site_states
from app.core.crawl.run_tokens import CancelToken
from app.core.errors import GovInspectError

from .workers import DbWorker

log = logging.getLogger(__name__)


class MonitorWorker(QObject):
    """Monitor.run() on its thread; cancel() is called directly from the GUI thread."""

    progress = Signal(object)          # MonitorProgress (at most ten a second, the core throttles)
    finished = Signal(object)          # MonitorSummary
    failed = Signal(str)

    def __init__(self, db_path: Path, options: MonitorOptions, site_codes: list[str] | None = None,
                 clock=None, sleep=None):
        super().__init__()
        self._db_path, self._options = Path(db_path), options
        self._codes = list(site_codes) if site_codes else None
        self._cancel = CancelToken()
        self._clock, self._sleep = clock, sleep

    def cancel(self) -> None:
        self._cancel.cancel()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.cancelled

    @Slot()
    def run(self) -> None:
        extra = {k: v for k, v in (("clock", self._clock), ("sleep", self._sleep)) if v is not None}
        try:
            monitor = Monitor(self._db_path, self._options, self._codes, self.progress.emit, self._cancel, **extra)
            summary = monitor.run()
        except GovInspectError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("monitor failed")
            self.failed.emit(f"内部错误：{exc}")
        else:
            self.finished.emit(summary)


class SiteStatesWorker(DbWorker):
    """The table's rows: every running site with its latest probe and the week's counts."""

    def __init__(self, db_path: Path, start: dt.date, end: dt.date, timeout: float):
        super().__init__(db_path)
        self._start, self._end, self._timeout = start, end, timeout

    def work(self, db):
        return site_states(db, self._start, self._end, self._timeout)
