"""Recall and precision per kind, matched per defect: per column, per number, per metadata element,
per footer mark, per message, per link, per typo — never per page."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .model import Truth

_MASKED_RE = re.compile(r"^(\d{3,6}\*{4,}[\dXx]{4})｜")
_QUOTED_RE = re.compile(r"“([^”]+)”")
_VETO_AGGREGATES = {"web.veto.columns_not_updated.c1", "web.veto.columns_not_updated.c2",
                    "web.veto.columns_not_updated.c3"}
_MARK_WORDS = [("找错", "zhaocuo"), ("网站标识码", "code"), ("党政机关", "dzjg"), ("ICP", "icp"), ("公安", "psb"),
               ("主办单位", "host")]


@dataclass
class Row:
    truth: int = 0
    reported: int = 0
    hits: int = 0
    missed: list = field(default_factory=list)
    wrong: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hits / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.hits / self.reported if self.reported else 1.0


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pages(rec: dict) -> list[str]:
    """The finding's page and the pages its evidence lists as repeats (另见N个页面)."""
    pages = [rec.get("page") or rec.get("url") or ""]
    evidence = rec.get("evidence") or ""
    if "另见" in evidence:
        pages += [ln.strip() for ln in evidence.split("另见", 1)[1].splitlines()[1:] if ln.strip().startswith("http")]
    return pages


def reported_keys(kind: str, rec: dict, truth: Truth) -> tuple[str, list]:
    """(kind the finding is scored under, its defect keys)."""
    code, url, detail = rec["target"], rec.get("url") or "", rec.get("detail") or ""
    if kind in ("column_stale", "column_blank"):
        if rec.get("indicator") in _VETO_AGGREGATES:
            return "", []
        for d, urls in (truth.columns.get(code) or {}).items():
            if url in urls:
                return kind, [d]
        return kind, [("?", url)]
    if kind == "message_unanswered" and (rec.get("indicator") or "").endswith(".r1"):
        return "message_stale", ["board"]
    if kind == "homepage_stale":
        return kind, ["home"]
    if kind in ("https_problem", "ipv6_missing", "homepage_down", "homepage_offsite"):
        return kind, ["site"]
    if kind == "footer_missing":
        return kind, [next((m for w, m in _MARK_WORDS if w in detail), ("?", detail))]
    if kind == "pii":
        keys = [m.group(1) for ln in (rec.get("evidence") or "").splitlines() for m in [_MASKED_RE.match(ln)] if m]
        return kind, keys or [("?", detail)]
    if kind == "policy_metadata_missing":
        elements = detail.split("缺少：", 1)[1].split("、") if "缺少：" in detail else [detail]
        return kind, [(_path(url), e) for e in elements]
    if kind in ("typo", "grave_error"):
        quoted = _QUOTED_RE.findall(detail)
        word = quoted[0] if quoted else detail
        return kind, [(_path(p), word) for p in _pages(rec)]
    if kind == "dark_link":
        return kind, [rec.get("page") or url]
    return kind, [url]


def score(truth: Truth, records: list[dict]) -> dict[str, Row]:
    rows: dict[str, Row] = defaultdict(Row)
    reported: dict[str, set] = defaultdict(set)
    for rec in records:
        kind, keys = reported_keys(rec["kind"], rec, truth)
        for key in keys:
            if kind:
                reported[kind].add((rec["target"], key))
    for kind in set(truth.expected) | set(reported):
        expected, got = truth.expected.get(kind, set()), reported.get(kind, set())
        row = rows[kind]
        row.truth, row.reported, row.hits = len(expected), len(got), len(expected & got)
        row.missed = sorted(expected - got, key=str)
        row.wrong = sorted(got - expected, key=str)
    return dict(rows)


def by_category(truth: Truth, records: list[dict], kind: str) -> dict[str, tuple[int, int]]:
    """Recall of a kind split by the truth's categories (column types): label -> (hits, total)."""
    got = set()
    for rec in records:
        k, keys = reported_keys(rec["kind"], rec, truth)
        if k == kind:
            got.update((rec["target"], key) for key in keys)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, key in truth.expected.get(kind, ()):
        label = truth.category.get((kind, code, key), "")
        out[label][1] += 1
        out[label][0] += (code, key) in got
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}
