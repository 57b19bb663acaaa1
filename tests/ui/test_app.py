"""run_gui start-up failures and the crash dialog."""
from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QMessageBox

from app.ui import app as gui


def test_unopenable_database_shows_message_and_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVINSPECT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))     # drop the log file handler afterwards
    shown = []
    monkeypatch.setattr(gui, "show_fatal", lambda title, text: shown.append((title, text)))
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert gui.run_gui(folder) == 1
    assert shown and shown[0][0] == "无法打开数据库" and "文件夹" in shown[0][1]


def test_excepthook_logs_and_shows_dialog(monkeypatch, caplog):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    try:
        raise ValueError("坏数据")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            gui.excepthook(type(exc), exc, exc.__traceback__)
    assert shown and "坏数据" in shown[0]
    assert "uncaught exception" in caplog.text


def test_garbage_is_collected_in_the_gui_thread(qapp):
    import gc
    from app.ui.gc_guard import MainThreadGarbageCollector
    was_enabled = gc.isenabled()
    collector = MainThreadGarbageCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        collector.threshold = (0, 0, 0)
        collector._on_timeout()
        assert gc.get_count()[0] < 50
        collector.stop()
        assert gc.isenabled()
    finally:
        if not was_enabled:      # the ui fixtures keep automatic GC off during a test
            gc.disable()
