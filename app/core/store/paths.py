"""Where GovInspect keeps its data and finds its resources (no Qt)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources/ folder, also inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def user_data_dir() -> Path:
    """Per-user data folder: %APPDATA%\\GovInspect on Windows, XDG elsewhere."""
    override = os.environ.get("GOVINSPECT_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "GovInspect"


def default_db_path() -> Path:
    return user_data_dir() / "govinspect.sqlite"
