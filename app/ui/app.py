"""GUI entry: QApplication, logging, a crash dialog instead of a crash, the main window."""
from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, APP_NAME_EN, __version__
from app.core.errors import DatabaseError
from app.core.store.paths import default_db_path, user_data_dir

from .gc_guard import MainThreadGarbageCollector
from .style import APP_STYLESHEET, app_icon

log = logging.getLogger(__name__)
_showing_error = False


def setup_logging() -> Path | None:
    """Log to a rotating file in the user data folder (never fail start-up over it)."""
    folder = user_data_dir() / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "govinspect.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder / "govinspect.log"


def excepthook(exc_type, exc, tb) -> None:
    """Log an uncaught exception and tell the user, instead of letting Qt abort."""
    global _showing_error
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("uncaught exception\n%s", details)
    if _showing_error or QApplication.instance() is None:
        sys.__stderr__.write(details)
        return
    _showing_error = True     # an error inside the dialog must not open another one
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, "程序出现意外错误",
                          "操作未能完成，已记录到日志文件。名录数据不受影响，可以继续使用；"
                          "如反复出现，请把日志发给维护人员。\n\n"
                          f"错误信息：{exc}")
        box.setDetailedText(details)
        box.exec()
    finally:
        _showing_error = False


def show_fatal(title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()


CJK_FONT = "Noto Sans CJK SC"


def prefer_chinese_font(app: QApplication) -> None:
    """Linux: Qt's default font falls back to whichever CJK face fontconfig lists first (often the
    Japanese one, whose glyphs differ from Chinese ones); ask for the Simplified Chinese face."""
    if sys.platform.startswith("linux") and CJK_FONT in QFontDatabase.families():
        font = app.font()
        font.setFamilies([CJK_FONT, *font.families()])
        app.setFont(font)


def create_application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv)
    QCoreApplication.setOrganizationName(APP_NAME_EN)
    QCoreApplication.setApplicationName(APP_NAME_EN)
    QCoreApplication.setApplicationVersion(__version__)
    QApplication.setApplicationDisplayName(APP_NAME)
    app.setStyle("Fusion")     # the same tidy look on every Windows version
    prefer_chinese_font(app)
    app.setStyleSheet(APP_STYLESHEET)
    app.setWindowIcon(app_icon())
    return app


def run_gui(db_path: Path | None = None) -> int:
    """Open the registry at ``db_path`` (default location if None) in the main window."""
    setup_logging()
    app = create_application()
    sys.excepthook = excepthook
    from app.core.store.db import connect
    path = Path(db_path) if db_path else default_db_path()
    try:
        db = connect(path)
    except DatabaseError as exc:
        log.error("cannot open %s: %s", path, exc)
        show_fatal("无法打开数据库", f"{exc}\n\n数据库文件：{path}")
        return 1
    from .main_window import MainWindow
    collector = MainThreadGarbageCollector(app)
    window = MainWindow(db, path)
    window.show()
    try:
        return app.exec()
    finally:
        collector.stop()
        db.close()
