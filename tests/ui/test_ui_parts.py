"""The shared UI pieces: a job's busy control, a dialog forgotten when it closes, a model's sort
keeping the current row, and a dialog that saves through the core."""
from __future__ import annotations

from PySide6.QtCore import QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from app.core.errors import GovInspectError, ValidationError
from app.ui.dialogs.dialog_parts import CoreDialog, ErrorLine
from app.ui.pages.page_parts import show_dialog
from app.ui.table_models.registry_model import RegistryTableModel
from app.ui.workers import DbWorker, Jobs


class _Answer(DbWorker):
    def __init__(self, db_path, answer):
        super().__init__(db_path)
        self._answer = answer

    def work(self, db):
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


class _Seen(QObject):
    """GUI-side handlers recording whether the button was enabled when they ran."""

    def __init__(self, button):
        super().__init__()
        self.button, self.got = button, []

    @Slot(object)
    def finished(self, result) -> None:
        self.got.append(("finished", result, self.button.isEnabled()))

    @Slot(str)
    def failed(self, text: str) -> None:
        self.got.append(("failed", text, self.button.isEnabled()))


def test_busy_button_is_disabled_while_the_job_runs_and_enabled_before_its_handler(qtbot, db_path):
    owner = QWidget()
    qtbot.addWidget(owner)
    jobs, button = Jobs(owner), QPushButton("开始")
    seen = _Seen(button)
    for answer, kind in ((42, "finished"), (GovInspectError("文件打不开"), "failed")):
        worker = _Answer(db_path, answer)
        with qtbot.waitSignal(getattr(worker, kind), timeout=5000):
            jobs.start(worker, seen.finished, seen.failed, busy=button)
            assert not button.isEnabled()
        qtbot.waitUntil(lambda: len(seen.got) == (1 if kind == "finished" else 2), timeout=5000)
        assert button.isEnabled()
    jobs.wait_all()
    assert seen.got == [("finished", 42, True), ("failed", "文件打不开", True)]


def test_a_forgotten_dialog_is_let_go_when_it_closes(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.dialog = None
    first = show_dialog(owner, "dialog", QDialog(owner), forget=True)
    assert owner.dialog is first
    first.reject()
    assert owner.dialog is None
    kept = show_dialog(owner, "dialog", QDialog(owner))
    kept.reject()
    assert owner.dialog is kept                  # without forget the owner keeps it


def test_sorting_keeps_the_current_row_on_its_record(qtbot):
    model = RegistryTableModel("site")
    model.set_records([{"id": i, "name": name, "site_code": f"36010200{i:02d}", "status": "正常"}
                       for i, name in enumerate(["丙网站", "甲网站", "乙网站"], start=1)])
    kept = QPersistentModelIndex(model.index(model.row_of_id(3), 0))          # 乙网站, last
    model.sort(0, Qt.SortOrder.DescendingOrder)                                # pinyin: yi, jia, bing
    assert [r.texts[0] for r in model.rows] == ["乙网站", "甲网站", "丙网站"]
    assert kept.row() == 0 and model.row_of_id(3) == 0
    model.sort(-1)                                                             # registry order again
    assert [r.id for r in model.rows] == [1, 2, 3] and kept.row() == 2


class _Saving(CoreDialog):
    saved = Signal(object)

    def __init__(self, outcome):
        super().__init__()
        self.error = ErrorLine()
        QVBoxLayout(self).addWidget(self.error)
        self._outcome = outcome

    def save(self):
        if isinstance(self._outcome, Exception):
            raise self._outcome
        return self._outcome


def test_core_dialog_says_why_the_core_refused_and_stays_open(qtbot):
    refused = _Saving(ValidationError({"名称": "不能为空", "网址": "格式不对"}))
    qtbot.addWidget(refused)
    refused.show()
    refused.accept()
    assert refused.isVisible() and refused.error.isVisible()
    assert refused.error.text() == "未保存：名称：不能为空；网址：格式不对"

    done = _Saving(7)
    qtbot.addWidget(done)
    done.show()
    with qtbot.waitSignal(done.saved, timeout=1000) as blocker:
        done.accept()
    assert blocker.args == [7] and not done.isVisible()
