"""站点无法访问 and 首页访问缓慢 for a round from the stored probes of its monitoring week.

The verdict of every site comes from per-day counts taken in SQL and judged by
checks/availability.judge; the findings of the sites that need one come from the catalog's own
unreachable/slow checks over those sites' probe rows, through the same Suite the run engine uses,
and go in through finding_row + add_findings as the run engine's do. The findings are keyed by
the week (availability.WeekFinding), so a verdict and a check run of one round record them once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlite_utils

from ..checks import availability
from ..checks.base import CheckContext, CheckFinding
from ..checks.catalog import SiteInputs
from ..rounds import findings as findings_mod, rounds
from .check_suite import Suite, finding_row, params_for_round
from .probe_store import day_counts, window_probes
from .site_run import _SiteRunner

KINDS = (availability.KIND_UNREACHABLE, availability.KIND_SLOW)


@dataclass(frozen=True)
class SiteVerdict:
    target_id: int
    site: str                                  # 网站标识码
    name: str
    url: str
    week: availability.WeekVerdict
    findings: tuple[CheckFinding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def probes(self) -> int:
        return self.week.probes

    @property
    def failed(self) -> int:
        return self.week.failed

    @property
    def ratio(self) -> float | None:
        share = self.week.share
        return None if share is None else round(float(share), 6)

    @property
    def verdict(self) -> str:
        return self.week.verdict

    @property
    def slow(self) -> int:
        return self.week.slow

    def to_json(self) -> dict:
        """The CLI's JSON object: exactly site, probes, failed, ratio, verdict, slow."""
        return {"site": self.site, "probes": self.probes, "failed": self.failed, "ratio": self.ratio,
                "verdict": self.verdict, "slow": self.slow}


@dataclass(frozen=True)
class RoundVerdicts:
    round_id: int
    round_name: str
    closed: bool
    start: dt.date
    end: dt.date
    sites: list[SiteVerdict] = field(default_factory=list)
    skipped_kinds: tuple[str, ...] = ()       # not judged: the round's rule set lacks the indicator
    dropped: int = 0                           # findings whose indicator the rule set lacks

    def count(self, verdict: str) -> int:
        return sum(1 for s in self.sites if s.verdict == verdict)


def round_verdicts(db: sqlite_utils.Database, round_id: int, site_keys: list[str] | None = None) -> RoundVerdicts:
    """The verdict of every site target of the round over the 7 days ending at its 监测时间点."""
    rnd = rounds.get_round(db, round_id)
    as_of = dt.date.fromisoformat(rnd.as_of)
    snapshot = db.conn.execute("SELECT profile_snapshot FROM rounds WHERE id = ?", (round_id,)).fetchone()[0]
    params = params_for_round(snapshot, None)
    index = findings_mod.IndicatorIndex.for_round(db, round_id)
    suite = Suite(set(index.by_id), KINDS, params)
    targets = rounds.round_targets(db, round_id, "site")
    if site_keys:
        wanted = set(site_keys)
        targets = [t for t in targets if t.target_key in wanted]
    probe_ctx = CheckContext(as_of=as_of, site={}, params=params)
    u = probe_ctx.opts(availability.KIND_UNREACHABLE, availability.DEFAULTS_UNREACHABLE)
    s = probe_ctx.opts(availability.KIND_SLOW, availability.DEFAULTS_SLOW)
    start, end = availability.window(as_of, int(u["monitor_days"]))
    counts = day_counts(db, start, end, float(u["timeout_seconds"]), float(s["slow_seconds"]),
                        float(s["timeout_seconds"]), [t.site_id for t in targets if t.site_id is not None])
    out, dropped = [], 0
    for t in targets:
        ctx = CheckContext(as_of=as_of, site=_SiteRunner._site_record(t), params=params)
        week = availability.judge(counts.get(t.site_id, []), ctx)
        found: list[CheckFinding] = []
        notes: list[str] = []
        if t.site_id is not None and (week.verdict == availability.VERDICT_VETO or week.slow):
            inputs = SiteInputs(home_url=t.url, probes=window_probes(db, t.site_id, start, end))
            raw, notes, _errors = suite.site_findings(inputs, ctx)
            found, n = suite.finish(raw)
            dropped += n
        elif week.note():
            notes = [week.note()]
        out.append(SiteVerdict(t.id, t.target_key, t.name, t.url, week, tuple(found), tuple(notes)))
    return RoundVerdicts(round_id, rnd.name, rnd.closed, start, end, out, tuple(suite.skipped), dropped)


def record_verdicts(db: sqlite_utils.Database, verdicts: RoundVerdicts, who: str | None = None) -> findings_mod.BulkAdd:
    """Add the verdicts' findings as 待审核 (自动); a finding the round already has is not added again."""
    rows = [finding_row(v.target_id, f) for v in verdicts.sites for f in v.findings]
    return findings_mod.add_findings(db, verdicts.round_id, rows, who=who)
