"""Where a finding's pictures live: screenshots/round-<id>/<target key>/ beside the database file
(page screenshots from exports/shots.py, OCR evidence pictures from the check run)."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from ..office.names import safe_filename
from ..store.paths import user_data_dir

SHOTS_FOLDER = "screenshots"


def data_folder(db: sqlite_utils.Database) -> Path:
    """The folder of the database file (the user data folder for an in-memory database)."""
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file).parent
    return user_data_dir()


def shot_folder(db: sqlite_utils.Database, round_id: int, target_key: str) -> Path:
    """screenshots/round-<id>/<target key>/ beside the database."""
    return data_folder(db) / SHOTS_FOLDER / f"round-{round_id}" / safe_filename(target_key, "target", 80)
