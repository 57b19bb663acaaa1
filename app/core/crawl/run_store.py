"""Check run persistence: check_runs and evidence rows, resume state, run listings and settings."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import zlib
from dataclasses import dataclass

import sqlite_utils

from ..checks.base import Page
from ..errors import ValidationError
from ..rounds import findings as findings_mod, rounds
from ..store import audit
from ..store.db import get_int_setting, get_setting, set_setting, transaction
from .fetching import LinkStatus
from .probe_store import probe_rows
from .run_options import FINISHED_STATES, CheckOptions, SiteResult
from .site_worker import _Cached, evidence_note


RETENTION_KEY = "evidence_retention_days"
DEFAULT_RETENTION_DAYS = 365
TLS_UNVERIFIED_KEY = "tls_unverified_sites"      # JSON list of 网站标识码 read without TLS verification
_FLUSH_SECONDS = 1.0
_FLUSH_ROWS = 200


# ---------------------------------------------------------------- settings

def unverified_sites(db: sqlite_utils.Database) -> set[str]:
    """网站标识码 of sites the inspector chose to read despite TLS errors."""
    try:
        return set(json.loads(get_setting(db, TLS_UNVERIFIED_KEY, "[]") or "[]"))
    except ValueError:
        return set()


def set_unverified(db: sqlite_utils.Database, site_key: str, allowed: bool, who: str | None = None) -> None:
    """Per-site choice: continue without TLS verification after a certificate error (audited)."""
    keys = unverified_sites(db)
    old = site_key in keys
    (keys.add if allowed else keys.discard)(site_key)
    with transaction(db):
        set_setting(db, TLS_UNVERIFIED_KEY, json.dumps(sorted(keys), ensure_ascii=False))
        audit.log(db, "settings", None, "tls_unverified", {"site": site_key, "allowed": old},
                  {"site": site_key, "allowed": bool(allowed)}, who)


def retention_days(db: sqlite_utils.Database) -> int:
    return get_int_setting(db, RETENTION_KEY, DEFAULT_RETENTION_DAYS)


def prune_evidence(db: sqlite_utils.Database, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete fetched-page 留痕 older than the retention period; returns rows deleted.

    ``days`` defaults to the evidence_retention_days setting (0 or less: keep forever).
    Kept regardless: evidence tied to a finding, pages or links a finding of the same round
    names, and the cache of runs that can still be resumed.
    """
    days = retention_days(db) if days is None else int(days)
    if days <= 0:
        return 0
    cutoff = ((now or dt.datetime.now()) - dt.timedelta(days=days)).replace(microsecond=0).isoformat(sep=" ")
    with transaction(db):
        cur = db.conn.execute(
            """DELETE FROM evidence
               WHERE kind IN ('page', 'file', 'link') AND fetched_at < ? AND finding_id IS NULL
                 AND (run_id IS NULL OR run_id NOT IN
                      (SELECT id FROM check_runs WHERE state IN ('running', 'paused', 'cancelled', 'failed')))
                 AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.round_id = evidence.round_id
                                 AND (f.url = evidence.url OR f.page = evidence.url))""", (cutoff,))
        return cur.rowcount


def page_text(db: sqlite_utils.Database, evidence_id: int) -> str:
    """The stored (留痕) text of a fetched page."""
    row = db.conn.execute("SELECT content FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    return zlib.decompress(row[0]).decode("utf-8") if row and row[0] else ""


def _note(text: str | None) -> dict:
    if not text:
        return {}
    try:
        d = json.loads(text)
    except ValueError:
        return {"text": text}
    return d if isinstance(d, dict) else {"text": text}


# ---------------------------------------------------------------- run listings

@dataclass(frozen=True)
class RunInfo:
    id: int
    round_id: int
    started_at: str
    finished_at: str | None
    state: str
    site_keys: list[str] | None
    options: CheckOptions
    sites_total: int
    sites_done: int
    pages: int
    findings: int
    elapsed: float


def list_runs(db: sqlite_utils.Database, round_id: int) -> list[RunInfo]:
    """Check runs of a round, newest first."""
    out = []
    for rid, rnd, started, finished, state, params, summary in db.conn.execute(
            "SELECT id, round_id, started_at, finished_at, state, params, summary FROM check_runs "
            "WHERE round_id = ? ORDER BY id DESC", (round_id,)):
        p, s = _note(params), _note(summary)
        out.append(RunInfo(rid, rnd, started, finished, state, p.get("site_keys"),
                           CheckOptions.from_dict(p.get("options") or {}), int(s.get("sites_total") or 0),
                           int(s.get("sites_done") or 0), int(s.get("pages") or 0), int(s.get("findings") or 0),
                           float(s.get("elapsed") or 0.0)))
    return out


def site_results(db: sqlite_utils.Database, run_id: int) -> list[SiteResult]:
    """Per-site results of a run in round order (sites not reached yet show as pending)."""
    row = db.conn.execute("SELECT round_id, params, summary FROM check_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查任务": f"编号 {run_id} 不存在"})
    round_id, params, summary = row[0], _note(row[1]), _note(row[2])
    saved = summary.get("sites") or {}
    targets = rounds.round_targets(db, round_id, "site")
    keys = params.get("site_keys")
    if keys:
        targets = [t for t in targets if t.target_key in set(keys)]
    names = {f.name for f in dataclasses.fields(SiteResult)}
    out = []
    for t in targets:
        d = {k: v for k, v in (saved.get(t.target_key) or {}).items() if k in names}
        d.setdefault("state", "pending")
        out.append(SiteResult(target_id=t.id, site_key=t.target_key, name=t.name, url=t.url, **d))
    return out


def run_finding_ids(db: sqlite_utils.Database, run_id: int, extra: list[int] | None = None) -> list[int]:
    """Findings a run wrote, plus ``extra`` (findings it saw again), in id order."""
    ids = {r[0] for r in db.conn.execute("SELECT id FROM findings WHERE run_id = ?", (run_id,))}
    ids.update(extra or [])
    return sorted(ids)



# ---------------------------------------------------------------- the run engine's store side

class _RunStore:
    """Mixin of _Engine (jobs.py): reading the run's cache back and writing its rows."""

    # ------------------------------------------------------------ resume state

    def _load_link_cache(self) -> None:
        for url, status, note in self.db.conn.execute(
                "SELECT url, http_status, note FROM evidence WHERE run_id = ? AND kind = 'link'", (self.run_id,)):
            n = _note(note)
            self.link_status[url] = LinkStatus(url=url, status=status, error=n.get("error", ""),
                                               error_kind=n.get("error_kind", ""), final_url=n.get("final", url))

    def _load_site_cache(self, target_id: int, cached: dict[str, _Cached]) -> None:
        rows = self.db.conn.execute(
            """SELECT url, http_status, mime, content, note, elapsed, bytes, content_hash, fetched_at
               FROM evidence WHERE run_id = ? AND target_id = ? AND kind IN ('page', 'file')""",
            (self.run_id, target_id))
        for url, status, mime, content, note, elapsed, size, chash, at in rows:
            n = _note(note)
            if n.get("unscanned"):
                continue
            cached[url] = _Cached(url, n.get("final", url), status, mime or "", content, n, elapsed,
                                       size or 0, chash or "", at)

    def _evidence_row(self, target_id: int, page: Page, content: bytes | None, extra: dict | None = None) -> tuple:
        """A 'page' or 'file' evidence row; an attachment's mime is its Content-Type, and ``extra``
        (site_worker._note_file: file type, Content-Disposition name, scanned) joins its note.
        A page URL that answered with a file is a 'file' row with purpose 'attachment', which a
        resumed run replays as an attachment (site_worker._page_from_cache)."""
        kind = "file" if page.purpose == "attachment" else "page"
        note = evidence_note(page)
        if extra:
            note.update(extra)
        return (self.round_id, target_id, self.run_id, kind, page.requested_url or page.url, page.status,
                page.fetched_at or audit.now(), page.elapsed, page.size, page.content_hash, page.content_type,
                content, json.dumps(note, ensure_ascii=False))


    def _probes(self, site_id: int) -> list[dict]:
        self._flush(force=True)                         # this run's probe is part of the history
        # The probes the monitor and imports stored too; the deciders keep the monitoring week.
        return probe_rows(self.db, site_id, self.as_of - dt.timedelta(days=31), self.as_of)

    # ------------------------------------------------------------ writing

    def _summary(self) -> dict:
        sites = {}
        for s in self.sites:
            d = dataclasses.asdict(s.result())
            for k in ("target_id", "site_key", "name", "url"):
                d.pop(k)
            d["probed"] = s.probed
            sites[s.key] = d
        return {"elapsed": round(self._elapsed(), 1), "pages": sum(s.pages for s in self.sites),
                "findings": sum(s.findings for s in self.sites),
                "existing": sum(s.existing for s in self.sites),
                "sites_done": sum(1 for s in self.sites if s.state in FINISHED_STATES),
                "sites_total": len(self.sites), "skipped_kinds": self.suite.skipped,
                "errors": self.errors[-200:], "sites": sites}

    def _flush(self, force: bool = False, state: str | None = None, finished: bool = False) -> None:
        now = time.monotonic()
        n = len(self.pending_evidence) + sum(len(v) for v in self.pending_findings.values()) + len(self.pending_probes)
        if not force and n < _FLUSH_ROWS and (now - self.last_flush) < _FLUSH_SECONDS:
            return
        if not n and not self.dirty_sites and state is None:
            self.last_flush = now
            return
        write_summary = self.dirty_sites or state is not None or (now - self.last_summary_write) > 5.0
        by_id = {s.target.id: s for s in self.sites}
        with transaction(self.db):
            if self.pending_evidence:
                self.db.conn.executemany(
                    """INSERT INTO evidence(round_id, target_id, run_id, kind, url, http_status, fetched_at, elapsed,
                           bytes, content_hash, mime, content, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    self.pending_evidence)
            if self.pending_probes:
                self.db.conn.executemany(
                    "INSERT INTO probes(site_id, url, at, seconds, ok, http_status, error, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.pending_probes)
            if self.pending_checked:
                rounds.mark_checked(self.db, self.pending_checked, "自动检查完成", self.who)
                self.pending_checked = []
            for target_id, rows in self.pending_findings.items():
                if not rows:
                    continue
                res = findings_mod.add_findings(self.db, self.round_id, rows, self.run_id, who=self.who)
                site = by_id[target_id]
                site.findings += len(res.added)
                site.existing += len(res.existing)
                self.finding_ids.extend(res.added)
                self.finding_ids.extend(res.existing)
            if write_summary:
                sets, args = ["summary = ?"], [json.dumps(self._summary(), ensure_ascii=False)]
                if state is not None:
                    sets.append("state = ?")
                    args.append(state)
                if finished:
                    sets.append("finished_at = ?")
                    args.append(audit.now())
                self.db.conn.execute(f"UPDATE check_runs SET {', '.join(sets)} WHERE id = ?", args + [self.run_id])
        self.pending_evidence, self.pending_findings, self.pending_probes = [], {}, []
        self.last_flush = now
        if write_summary:
            self.dirty_sites = False
            self.last_summary_write = now
