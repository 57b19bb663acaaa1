"""Evidence screenshots, the database side: the kept page (留痕) a finding was seen on, where its PNG
goes, and the record of each screenshot. The drawing is Qt's (app/ui/evidence_shots.py).

A screenshot is an ``evidence`` row of kind 'screenshot' tied to its finding: ``fetched_at`` is the
capture time, ``content_hash`` the SHA-256 of the kept copy it was drawn from (the UTF-8 text), and
its note names the page's own evidence row, when that page was fetched, the SHA-256 of the body as
fetched, the PNG's SHA-256 and the caps that applied. The finding's ``screenshot_path`` points at
the newest one unless the inspector attached a file of their own.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import sqlite_utils

from ..rounds.findings import Finding, get_findings
from ..rounds.shot_files import shot_folder
from ..store import audit
from ..store.db import transaction
from .shot_html import Marks, marks_for

RENDERER = "Qt QTextDocument（离线重绘，不执行脚本、不加载外部资源）"
NO_PAGE = "没有保存的网页留痕（只有自动检查抓取的网页可以生成截图）"


@dataclass(frozen=True)
class ShotSource:
    """A finding and the kept copy of the page it was seen on."""
    finding: Finding
    evidence_id: int
    page_url: str
    fetched_at: str
    body_sha256: str          # of the body bytes as fetched (evidence.content_hash)
    text: str                 # the kept copy (decoded text)
    text_sha256: str          # of ``text`` as UTF-8: what the screenshot was drawn from
    marks: Marks


@dataclass(frozen=True)
class Shot:
    """A screenshot on record."""
    finding_id: int
    path: str
    captured_at: str
    page_url: str
    page_fetched_at: str
    page_sha256: str          # of the kept copy drawn
    png_sha256: str
    marked: int
    notes: str


def shot_path(db: sqlite_utils.Database, source: ShotSource, at: dt.datetime) -> Path:
    f = source.finding
    return shot_folder(db, f.round_id, f.target_key) / f"finding-{f.id}-{at:%Y%m%d-%H%M%S}.png"


_PAGE_SQL = """SELECT id, url, fetched_at, content_hash, content FROM evidence
               WHERE round_id = ? AND target_id = ? AND kind = 'page' AND content IS NOT NULL
                 AND (url = ? OR (json_valid(note) AND json_extract(note, '$.final') = ?))
               ORDER BY id DESC LIMIT 1"""


def shot_sources(db: sqlite_utils.Database, finding_ids: Iterable[int]
                 ) -> tuple[list[ShotSource], list[tuple[int, str]]]:
    """The findings that can have a screenshot, with their kept page; the others as (id, reason)."""
    sources, skipped = [], []
    for f in get_findings(db, finding_ids):
        row = None
        for url in dict.fromkeys(u for u in (f.page, f.url) if u.startswith(("http://", "https://"))):
            row = db.conn.execute(_PAGE_SQL, (f.round_id, f.target_id, url, url)).fetchone()
            if row:
                break
        if row is None:
            skipped.append((f.id, NO_PAGE))
            continue
        eid, url, fetched, body_hash, content = row
        try:
            text = zlib.decompress(content).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            skipped.append((f.id, "网页留痕已损坏，无法读取"))
            continue
        sources.append(ShotSource(f, eid, url, fetched, body_hash or "", text,
                                  hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                  marks_for(f.kind, f.detail, f.url, f.page, f.snippet)))
    return sources, skipped


def _auto_paths(db: sqlite_utils.Database, finding_id: int) -> set[str]:
    return {r[0] for r in db.conn.execute(
        "SELECT path FROM evidence WHERE finding_id = ? AND kind = 'screenshot'", (finding_id,))}


def record_shot(db: sqlite_utils.Database, source: ShotSource, path: Path, png_sha256: str, captured_at: str,
                marked: int, notes: list[str], who: str | None = None) -> Shot:
    """Write the screenshot's evidence row; point the finding at it unless it holds the inspector's own file."""
    f = source.finding
    note = {"page_evidence_id": source.evidence_id, "page_fetched_at": source.fetched_at,
            "page_body_sha256": source.body_sha256, "png_sha256": png_sha256, "marked": marked,
            "notes": notes, "renderer": RENDERER}
    with transaction(db):
        own = f.screenshot_path and f.screenshot_path not in _auto_paths(db, f.id)
        closed = db.conn.execute("SELECT status FROM rounds WHERE id = ?", (f.round_id,)).fetchone()[0] == "closed"
        db.conn.execute(
            """INSERT INTO evidence(round_id, target_id, finding_id, kind, url, fetched_at, bytes, content_hash,
                   mime, path, note) VALUES (?, ?, ?, 'screenshot', ?, ?, ?, ?, 'image/png', ?, ?)""",
            (f.round_id, f.target_id, f.id, source.page_url, captured_at,
             path.stat().st_size if path.exists() else None, source.text_sha256, str(path),
             json.dumps(note, ensure_ascii=False)))
        if not own and not closed:         # a closed round's findings stay as they were; the row suffices
            db.conn.execute("UPDATE findings SET screenshot_path = ? WHERE id = ?", (str(path), f.id))
            audit.log(db, "findings", f.id, "screenshot", {"screenshot_path": f.screenshot_path},
                      {"screenshot_path": str(path), "page_sha256": source.text_sha256}, who)
    return Shot(f.id, str(path), captured_at, source.page_url, source.fetched_at, source.text_sha256,
                png_sha256, marked, "；".join(notes))


def latest_shots(db: sqlite_utils.Database, finding_ids: Iterable[int]) -> dict[int, Shot]:
    """finding id -> its newest screenshot whose file still exists."""
    ids = list(dict.fromkeys(int(i) for i in finding_ids))
    out: dict[int, Shot] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.conn.execute(
            f"""SELECT finding_id, path, fetched_at, url, content_hash, note FROM evidence
                WHERE kind = 'screenshot' AND finding_id IN ({', '.join('?' * len(chunk))}) ORDER BY id""", chunk)
        for fid, path, at, url, page_hash, note in rows:
            if not path or not Path(path).is_file():
                continue
            try:
                n = json.loads(note or "{}")
            except ValueError:
                n = {}
            out[fid] = Shot(fid, path, at, url, str(n.get("page_fetched_at") or ""), page_hash,
                            str(n.get("png_sha256") or ""), int(n.get("marked") or 0),
                            "；".join(n.get("notes") or []))
    return out
