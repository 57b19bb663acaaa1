"""Shared test fixtures: headless Qt and a private registry file per test."""
import os

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def db_path(tmp_path):
    """Path of this test's own registry file (created on first connect)."""
    return tmp_path / "registry.sqlite"
