"""Background jobs on QThreads: each worker opens its own db connection in run().

Workers only pass plain data (SheetData, ImportPlan, counts) back to the GUI thread.
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.core.store.db import connect
from app.core.errors import GovInspectError

log = logging.getLogger(__name__)


class DbWorker(QObject):
    """Base: run() opens the registry, calls work(db), closes it, then reports."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path):
        super().__init__()
        self._db_path = Path(db_path)

    def work(self, db):  # pragma: no cover - overridden
        raise NotImplementedError

    @Slot()
    def run(self) -> None:
        db = None
        try:
            db = connect(self._db_path)
            result = self.work(db)
        except GovInspectError as exc:
            error = str(exc)
        except Exception as exc:
            log.exception("%s failed", type(self).__name__)
            error = f"内部错误：{exc}"
        else:
            error = None
        finally:
            if db is not None:
                db.close()
        if error is None:
            self.finished.emit(result)
        else:
            self.failed.emit(error)


@dataclass(frozen=True)
class LoadedSheet:
    """A file read and planned with the auto (or kept) column mapping."""

    kind: str
    plan: object          # app.core.registry.importing.ImportPlan; plan.sheet is the SheetData


class LoadPlanWorker(DbWorker):
    """Read an import file and plan it. Keeps ``mapping`` if the headers are unchanged."""

    def __init__(self, db_path: Path, kind: str, path: Path,
                 mapping: dict[int, str] | None = None, headers: list[str] | None = None):
        super().__init__(db_path)
        self._kind, self._path = kind, Path(path)
        self._mapping, self._headers = mapping, headers

    def work(self, db) -> LoadedSheet:
        from app.core.registry.importing import plan_import
        plan = plan_import(db, self._kind, self._path)
        if (self._mapping is not None and plan.sheet.headers == self._headers
                and self._mapping != plan.mapping):
            plan = plan_import(db, self._kind, plan.sheet, self._mapping)
        return LoadedSheet(self._kind, plan)


class PlanWorker(DbWorker):
    """Plan an already read sheet with a user-chosen mapping."""

    def __init__(self, db_path: Path, kind: str, sheet, mapping: dict[int, str]):
        super().__init__(db_path)
        self._kind, self._sheet, self._mapping = kind, sheet, dict(mapping)

    def work(self, db):
        from app.core.registry.importing import plan_import
        return plan_import(db, self._kind, self._sheet, self._mapping)


class ApplyWorker(DbWorker):
    """Write a clean plan (all or nothing)."""

    def __init__(self, db_path: Path, plan):
        super().__init__(db_path)
        self._plan = plan

    def work(self, db):
        from app.core.registry.importing import apply_import
        return apply_import(db, self._plan)


class ExportWorker(DbWorker):
    """Export the whole registry to an .xlsx file; returns the row counts."""

    def __init__(self, db_path: Path, target: Path):
        super().__init__(db_path)
        self._target = Path(target)

    def work(self, db) -> dict:
        from app.core.registry.export import export_registry
        return export_registry(db, self._target)


class _Busy(QObject):
    """A button or action kept disabled while a worker runs. It lives in the GUI thread, so the
    worker's finished/failed reach it there (queued) and it enables the control again."""

    def __init__(self, control, parent: QObject):
        super().__init__(parent)
        self._control = weakref.ref(control)     # a page closing deletes both: no strong tie
        control.setEnabled(False)

    @Slot()
    def done(self) -> None:
        control = self._control()
        if control is not None:
            control.setEnabled(True)
        self.deleteLater()


class Jobs(QObject):
    """Starts workers on their own threads and keeps both alive until the thread ends."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: list[tuple[QThread, DbWorker]] = []

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(self, worker: DbWorker, finished=None, failed=None, *, busy=None) -> None:
        """Run ``worker`` with ``finished``/``failed`` connected to its signals (connect any
        other slots *before* calling this). ``busy``, a button or action, is disabled until
        the worker ends and enabled again before those slots run."""
        if busy is not None:
            control = _Busy(busy, self)
            worker.finished.connect(control.done)
            worker.failed.connect(control.done)
        if finished is not None:
            worker.finished.connect(finished)
        if failed is not None:
            worker.failed.connect(failed)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued call would wait for the GUI loop,
        # which may itself be blocked in wait_all().
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        thread.finished.connect(worker.deleteLater)
        thread.finished.connect(thread.deleteLater)
        self._running.append((thread, worker))
        thread.start()

    def wait_all(self) -> None:
        """Block until every job has ended (used when a window closes)."""
        for thread, _worker in list(self._running):
            thread.wait()

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if thread is None:
            return
        # finished() is emitted just before the thread really ends (and deletes its worker):
        # wait for that before Python lets go of the wrappers.
        thread.wait()
        self._running = [(t, w) for t, w in self._running if t is not thread]
