"""Fixtures for core tests: a fresh registry file per test."""
from __future__ import annotations

import pytest

from app.core.store import db as dbmod


@pytest.fixture
def db(tmp_path):
    d = dbmod.connect(tmp_path / "registry.sqlite")
    yield d
    d.close()
