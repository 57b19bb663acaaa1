"""Screenshots of every page (docs/screenshots/), at 1600×1000 and 1366×768, rendered offscreen.

    python scripts/screenshots.py [--out docs/screenshots] [--only overview,scores]

Builds the demo registry with three rounds (scripts/demo_rounds.py) in a temporary folder,
opens the main window on it, shows each page, waits for its background work and saves
``widget.grab()``. Linux needs a CJK font for the glyphs: ``apt-get install -y fonts-noto-cjk``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings  # noqa: E402

import demo_rounds  # noqa: E402
from app.core.store.db import connect  # noqa: E402
from app.ui.app import create_application  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402

SIZES = ((1600, 1000), (1366, 768))
EXTRA = {"overview": "trends"}          # pages shown a second time in another state


def settle(window: MainWindow, seconds: float = 20.0) -> None:
    """Run the event loop until no page has background work left (and a little more, for paints)."""
    end = time.monotonic() + seconds
    quiet = 0
    while time.monotonic() < end and quiet < 5:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        jobs = [getattr(p, "_jobs", None) for p in window.pages.values()] + [window._jobs]
        quiet = 0 if any(j is not None and j.busy for j in jobs) else quiet + 1
        time.sleep(0.02)


def prepare(window: MainWindow, key: str, state: str, failed: tuple | None) -> None:
    """Put a page in a state worth showing: the trends tab, a target selected, the scorecard of
    ``failed`` (round id, target id) on 审核评分."""
    page = window.pages[key]
    if key == "overview":
        page.tabs.setCurrentIndex(1 if state == "trends" else 0)
    elif key == "rounds" and page.targets_view.model().rowCount():
        page.targets_view.selectRow(0)
    elif key == "scores" and failed is not None:
        page.show_target(*failed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default="", help="page keys, comma-separated")
    parser.add_argument("--empty", action="store_true", help="an empty database: what a newcomer sees first")
    args = parser.parse_args()
    only = {k for k in args.only.split(",") if k}
    create_application()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "示例.sqlite"
        db = connect(path)
        rounds = [0] if args.empty else demo_rounds.build(db)
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(db, path, settings)
        veto = db.conn.execute(
            "SELECT f.target_id FROM findings f WHERE f.round_id = ? AND f.indicator_id LIKE 'web.veto.%' "
            "AND f.status = '确认' LIMIT 1", (rounds[-1],)).fetchone()
        failed = (rounds[-1], veto[0]) if veto else None
        window.show()
        written = []
        for width, height in SIZES:
            window.resize(width, height)
            for n, spec in enumerate(window.specs, start=1):
                if only and spec.key not in only:
                    continue
                for state in ("", *([EXTRA[spec.key]] if spec.key in EXTRA else [])):
                    window.show_page(spec.key)
                    settle(window)
                    prepare(window, spec.key, state, failed)
                    settle(window)
                    name = (f"{'empty-' if args.empty else ''}{n:02d}-{spec.key}{'-' + state if state else ''}"
                            f"-{width}x{height}.png")
                    window.grab().save(str(args.out / name))
                    written.append(name)
        window.close()
        db.close()
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
