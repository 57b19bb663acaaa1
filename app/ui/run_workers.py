"""Workers of the 自动检查 and 导出 pages: check runs, annex previews, round exports.

Each runs on a QThread started by ``Jobs`` (workers.py) and hands only plain data back.
The check worker's cancel() and pause()/resume() are called directly from the GUI thread:
a queued signal would only reach the busy worker after run() returns.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal

from app.core.crawl import jobs
from app.core.crawl.check_overview import findings_by_kind

from .workers import DbWorker

PROGRESS_INTERVAL = 0.1        # seconds: at most ten progress signals a second


# ---------------------------------------------------------------- check runs

@dataclass(frozen=True)
class CheckProgress:
    """What one progress signal carries: the latest report, and every report since the
    previous signal in which a site changed state (so no finished site is missed)."""

    latest: jobs.RunProgress
    site_reports: tuple[jobs.RunProgress, ...] = ()


@dataclass(frozen=True)
class CheckOutcome:
    summary: jobs.RunSummary
    by_kind: dict          # target_id -> ((label, count), …) after the run


class CheckWorker(DbWorker):
    """run_checks (or resume_run with ``resume_run_id``) with a progress callable → signals."""

    progress = Signal(object)          # CheckProgress

    def __init__(self, db_path: Path, round_id: int, site_keys: list[str] | None = None,
                 options: jobs.CheckOptions | None = None, resume_run_id: int | None = None):
        super().__init__(db_path)
        self.round_id, self.resume_run_id = round_id, resume_run_id
        self._site_keys = list(site_keys) if site_keys else None
        self._options = options
        self._cancel, self._pause = jobs.CancelToken(), jobs.PauseToken()
        self._lock = threading.Lock()
        self._latest: jobs.RunProgress | None = None
        self._site_reports: list[jobs.RunProgress] = []
        self._last_emit = 0.0
        self._site_states: dict[str, str] = {}

    # --- called from the GUI thread ------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.cancel()

    def pause(self) -> None:
        self._pause.pause()

    def resume(self) -> None:
        self._pause.resume()

    @property
    def site_keys(self) -> list[str] | None:
        return self._site_keys

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.cancelled

    @property
    def paused(self) -> bool:
        return self._pause.paused

    # --- the run thread ------------------------------------------------------------------------
    def work(self, db) -> CheckOutcome:
        if self.resume_run_id is not None:
            summary = jobs.resume_run(self._db_path, self.resume_run_id, self._on_report, self._cancel, self._pause)
        else:
            summary = jobs.run_checks(self._db_path, self.round_id, self._site_keys, self._options,
                                      self._on_report, self._cancel, self._pause)
        self._emit(force=True)
        return CheckOutcome(summary, findings_by_kind(db, summary.round_id))

    def _on_report(self, p: jobs.RunProgress) -> None:
        with self._lock:
            self._latest = p
            if p.site_key and self._site_states.get(p.site_key) != p.site_state:
                self._site_states[p.site_key] = p.site_state
                self._site_reports.append(p)
        # Pause and end messages come once; they must not wait for a next report.
        self._emit(force=bool(p.paused or p.message))

    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if self._latest is None or (not force and now - self._last_emit < PROGRESS_INTERVAL):
                return
            batch = CheckProgress(self._latest, tuple(self._site_reports))
            self._latest, self._site_reports, self._last_emit = None, [], now
        self.progress.emit(batch)


# ---------------------------------------------------------------- exports

@dataclass(frozen=True)
class ExportRequest:
    """Everything the 导出 page asks for (plain data)."""

    round_id: int
    families: tuple[str, ...]
    options: object                    # app.core.exports.ExportOptions
    circular: bool = False
    circular_options: object = None    # app.core.exports.CircularOptions


@dataclass(frozen=True)
class AnnexPreview:
    seq: int
    round_id: int
    annexes: list                      # app.core.exports.Annex
    notes: list[str]
    unverified: bool                   # unverified profile numbers influenced a counted score
    draft: list[str] | None            # paragraphs of the circular draft, when asked for
    draft_notes: list[str]


class AnnexPreviewWorker(DbWorker):
    """load_round_data + build_annexes (+ build_circular): the tables as rows, nothing written."""

    def __init__(self, db_path: Path, request: ExportRequest, seq: int = 0):
        super().__init__(db_path)
        self._request, self._seq = request, seq

    def work(self, db) -> AnnexPreview:
        from app.core.exports import build_annexes, build_circular, load_round_data
        from app.core.exports.export import year_of
        r = self._request
        data = load_round_data(db, r.round_id, area=r.options.area or None, options=r.options)
        built = build_annexes(data, list(r.families), r.options)
        draft, draft_notes = None, []
        if r.circular:
            d = build_circular(data, built.annexes, r.circular_options, r.options.period or None,
                               year_of(db, data, r.circular_options))
            draft, draft_notes = list(d.paragraphs), list(d.notes)
        return AnnexPreview(self._seq, r.round_id, built.annexes, list(built.notes), data.unverified(),
                            draft, draft_notes)


class RoundExportWorker(DbWorker):
    """export_round into a folder; progress per file written."""

    progress = Signal(int, int, str)          # done, total, file name

    def __init__(self, db_path: Path, request: ExportRequest, out_dir: Path):
        super().__init__(db_path)
        self._request, self._out_dir = request, Path(out_dir)

    def work(self, db):
        from app.core.exports import export_round
        r = self._request
        return export_round(db, r.round_id, self._out_dir, list(r.families), r.circular, r.options,
                            r.circular_options, self.progress.emit)
