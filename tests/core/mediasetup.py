"""Helpers for the media/messages/hygiene/rectify tests: a local site server and small rounds."""
from __future__ import annotations

from app.core.rounds import rounds

from roundsetup import build_registry
from sitesetup import confirmed, fast_fetcher, refused_url, site_server, target  # noqa: F401 (shared helpers)


def make_round(db, as_of: str = "2025-08-14", name: str = "八月检查", **kw) -> int:
    """Registry from roundsetup plus one 全量 round."""
    if db.conn.execute("SELECT 1 FROM sites WHERE site_code = '3699020001'").fetchone() is None:
        build_registry(db)
    return rounds.create_round(db, name, as_of, **kw)
