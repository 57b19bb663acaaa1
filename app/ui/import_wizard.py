"""Registry import wizard: file → column mapping → validation report → diff → apply.

Reading, planning and applying run on worker threads (a 10,000-row file must not
freeze the window); the wizard holds the current plan and the pages show it.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QWizard

from .import_pages import DiffPage, FilePage, MappingPage, ReportPage
from .workers import ApplyWorker, Jobs, LoadPlanWorker, PlanWorker

log = logging.getLogger(__name__)

PAGE_FILE, PAGE_MAPPING, PAGE_REPORT, PAGE_DIFF = range(4)
ACCEPTED = QDialog.DialogCode.Accepted.value
TITLE = {"site": "导入网站名录", "account": "导入新媒体名录"}


class ImportWizard(QWizard):
    plan_ready = Signal()          # self.plan was replaced (load, re-plan or re-read)
    load_failed = Signal(str)
    imported = Signal(object)      # ImportResult
    apply_failed = Signal(str)

    def __init__(self, db_path: Path, kind: str = "site", parent=None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.kind = kind
        self.path: Path | None = None
        self.plan = None            # app.core.registry.importing.ImportPlan of the current file/mapping
        self.result = None          # ImportResult once applied
        self.error: str | None = None
        self.pending: str | None = None     # "load" / "plan" / "apply" while a worker runs
        self._wanted_mapping: dict[int, str] | None = None
        self._jobs = Jobs(self)

        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "开始导入")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.report_page = ReportPage(self)
        self.diff_page = DiffPage(self)
        self.setPage(PAGE_FILE, self.file_page)
        self.setPage(PAGE_MAPPING, self.mapping_page)
        self.setPage(PAGE_REPORT, self.report_page)
        self.setPage(PAGE_DIFF, self.diff_page)
        self.set_kind(kind)
        self.resize(980, 680)

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.setWindowTitle(TITLE[kind])

    # --- jobs ------------------------------------------------------------------------------------
    def load_file(self) -> None:
        """Read self.path and plan it with the automatic column mapping."""
        self.plan, self.error = None, None
        self._start("load", LoadPlanWorker(self.db_path, self.kind, self.path))

    def reload_file(self) -> None:
        """Read the (corrected) file again, keeping the user's mapping if the headers are unchanged."""
        mapping = self.mapping_page.mapping() if self.plan else None
        headers = self.plan.sheet.headers if self.plan else None
        self.error = None
        self._start("load", LoadPlanWorker(self.db_path, self.kind, self.path, mapping, headers))

    def replan(self, mapping: dict[int, str]) -> None:
        """Plan the sheet already read with another column mapping."""
        self._wanted_mapping = dict(mapping)
        self.error = None
        self._start("plan", PlanWorker(self.db_path, self.kind, self.plan.sheet, mapping))

    def _start(self, what: str, worker) -> None:
        self.pending = what
        worker.finished.connect(self._on_apply_finished if what == "apply" else self._on_plan_finished)
        worker.failed.connect(self._on_worker_failed)
        self._jobs.start(worker)

    @Slot(object)
    def _on_plan_finished(self, outcome) -> None:
        # A result is current when it answers the question now asked (the user may have moved on).
        plan = getattr(outcome, "plan", outcome)
        if plan.kind != self.kind:
            return
        if self.pending == "load" and Path(plan.sheet.path) != self.path:
            return
        if self.pending == "plan" and (self.plan is None or plan.sheet is not self.plan.sheet
                                       or plan.mapping != self._wanted_mapping):
            return
        self.pending = None
        self.plan = plan
        self.plan_ready.emit()

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        what, self.pending = self.pending, None
        self.error = message
        if what == "apply":
            self.apply_failed.emit(message)
        else:
            self.load_failed.emit(message)

    # --- finishing -------------------------------------------------------------------------------
    def validateCurrentPage(self) -> bool:
        if self.currentId() != PAGE_DIFF or self.result is not None:
            return super().validateCurrentPage()
        if self.pending is None and self.plan is not None and self.plan.ok:
            self._start("apply", ApplyWorker(self.db_path, self.plan))
            self.diff_page.show_applying()
        return False

    @Slot(object)
    def _on_apply_finished(self, result) -> None:
        self.pending = None
        self.result = result
        log.info("import applied: %s", result)
        self.imported.emit(result)
        self.accept()

    def done(self, result: int) -> None:
        if self.pending == "apply":        # all-or-nothing write in progress: let it finish
            return
        if result != ACCEPTED or self.result is not None:
            self._jobs.wait_all()
        super().done(result)      # QWizard.done(Accepted) runs validateCurrentPage (starts the apply)
