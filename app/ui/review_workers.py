"""Workers of the review pages (新媒体审核, 找错留言, 名录规范, 整改); each runs on a QThread via Jobs.

Kept apart from workers.py (registry import/export) so each feature's workers stay together.
Every worker is a DbWorker: it opens its own connection in run(), returns plain data, and
long ones report progress (at most ~10 a second) and can be cancelled from the GUI thread.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal

from app.core.crawl.jobs import Cancelled, CancelToken

from .workers import DbWorker


class ProgressWorker(DbWorker):
    """A DbWorker with progress(done, total, label) and cancel() (call it directly, not by signal)."""

    progress = Signal(int, int, str)

    def __init__(self, db_path: Path):
        super().__init__(db_path)
        self._cancel = CancelToken()
        self._last_emit = 0.0

    def cancel(self) -> None:
        self._cancel.cancel()

    def _report(self, done: int, total: int, label: str = "") -> None:
        now = time.monotonic()
        if done >= total or now - self._last_emit >= 0.1:
            self._last_emit = now
            self.progress.emit(done, total, label)


# --- 新媒体审核 -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MenuTestResult:
    tested: dict          # target id -> tuple[MenuItem, ...] with fresh results
    cancelled: bool = False


class MenuTestWorker(ProgressWorker):
    """Fetch the http(s) service-menu links of some accounts (no DB writes: the grid saves)."""

    def __init__(self, db_path: Path, menus: dict, fetch=None):
        super().__init__(db_path)
        self._menus = {tid: tuple(items) for tid, items in menus.items()}
        self._fetch = fetch

    def work(self, db) -> MenuTestResult:
        from app.core.crawl.linkcheck import default_fetcher
        from app.core.followup.media_review import check_menu_items

        fetch = self._fetch or default_fetcher(cancel=self._cancel)
        out, total = {}, len(self._menus)
        try:
            for done, (tid, items) in enumerate(self._menus.items(), start=1):
                self._cancel.check()
                out[tid] = check_menu_items(items, fetch, self._cancel)
                self._report(done, total, f"已测试 {done}/{total} 个账号")
        except Cancelled:
            return MenuTestResult(out, cancelled=True)
        return MenuTestResult(out)


class MonitoringImportWorker(DbWorker):
    """import_monitoring: all or nothing; problems come back in the result, not as a failure."""

    def __init__(self, db_path: Path, round_id: int, path: Path):
        super().__init__(db_path)
        self._round_id, self._path = round_id, Path(path)

    def work(self, db):
        from app.core.followup.media_monitoring import import_monitoring
        return import_monitoring(db, self._round_id, self._path)


# --- 找错留言 -----------------------------------------------------------------------------------------

class MessagesPlanWorker(DbWorker):
    """Read and validate a messages file (writes nothing)."""

    def __init__(self, db_path: Path, path: Path):
        super().__init__(db_path)
        self._path = Path(path)

    def work(self, db):
        from app.core.followup.messages import plan_messages_import
        return plan_messages_import(db, self._path)


class MessagesApplyWorker(DbWorker):
    """Write a clean plan in one transaction (re-checked under the write lock)."""

    def __init__(self, db_path: Path, plan):
        super().__init__(db_path)
        self._plan = plan

    def work(self, db):
        from app.core.followup.messages import apply_messages_import
        return apply_messages_import(db, self._plan)


# --- 名录规范 -------------------------------------------------------------------------------------

class HygieneWorker(DbWorker):
    def __init__(self, db_path: Path, as_of: str | None, discovered: Path | None, monitoring: Path | None):
        super().__init__(db_path)
        self._as_of, self._discovered, self._monitoring = as_of, discovered, monitoring

    def work(self, db):
        from app.core.followup.hygiene import check_registry
        return check_registry(db, self._as_of, self._discovered, self._monitoring)


class HygieneFindingsWorker(DbWorker):
    def __init__(self, db_path: Path, round_id: int, report):
        super().__init__(db_path)
        self._round_id, self._report = round_id, report

    def work(self, db):
        from app.core.followup.hygiene import record_findings
        return record_findings(db, self._round_id, self._report)


# --- 整改 ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecheckResult:
    summary: object | None          # rectify.RecheckSummary; None when cancelled
    cancelled: bool = False


class RecheckWorker(ProgressWorker):
    """recheck_round: fetch every item's link, then write the results in one short transaction."""

    def __init__(self, db_path: Path, round_id: int, fetch=None):
        super().__init__(db_path)
        self._round_id, self._fetch = round_id, fetch

    def work(self, db) -> RecheckResult:
        from app.core.followup.rectify import recheck_round
        try:
            summary = recheck_round(db, self._round_id, fetch=self._fetch, cancel=self._cancel,
                                    progress=self._on_progress)
        except Cancelled:                      # nothing was written
            return RecheckResult(None, cancelled=True)
        return RecheckResult(summary)

    def _on_progress(self, done: int, total: int, url: str) -> None:
        self._report(done, total, url)


class RectifyExportWorker(DbWorker):
    def __init__(self, db_path: Path, round_id: int, folder: Path, notice_format: str = "docx"):
        super().__init__(db_path)
        self._round_id, self._folder, self._format = round_id, Path(folder), notice_format

    def work(self, db):
        from app.core.followup.rectify import export_round
        return export_round(db, self._round_id, self._folder, self._format)
