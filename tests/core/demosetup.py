"""The demo registry with its three rounds (scripts/demo_rounds.py) in a file, for overview and trends tests."""
from __future__ import annotations

import sys
from pathlib import Path

from app.core.store.db import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import demo_rounds  # noqa: E402


def demo_file(folder: Path) -> tuple[Path, list[int]]:
    """Build it in ``folder``; returns the file and the round ids, oldest first (the last one open)."""
    path = Path(folder) / "demo.sqlite"
    db = connect(path)
    try:
        return path, demo_rounds.build(db)
    finally:
        db.close()
