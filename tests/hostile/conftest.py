"""The hostile-input suite (issue 16): every case rebuilt on 127.0.0.1 and in temporary files.

Each test asserts bounded time, bounded peak memory (measured in a subprocess), the Chinese
message and a database left unchanged or complete. The helpers of tests/core (registry rows,
table files, fixture sites) are shared."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
if str(CORE) not in sys.path:
    sys.path.insert(0, str(CORE))


@pytest.fixture
def demo_db(tmp_path) -> Path:
    """A database holding the demo registry (60 websites, 300 accounts)."""
    from app.core.registry import demo
    from app.core.store import db as store
    path = tmp_path / "demo.sqlite"
    d = store.connect(path)
    demo.build_demo(d)
    d.close()
    return path


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """A database with the schema and no records."""
    from app.core.store import db as store
    path = tmp_path / "empty.sqlite"
    store.connect(path).close()
    return path


@pytest.fixture
def db(tmp_path):
    from app.core.store import db as store
    d = store.connect(tmp_path / "registry.sqlite")
    yield d
    d.close()
