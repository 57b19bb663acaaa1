"""Helpers for the rounds / review / profiles page tests: a round on the UI test registry with findings."""
from __future__ import annotations

from pathlib import Path

from app.core.rounds import findings, rounds

from app.ui.pages import PageContext

PORTAL = "3601020001"         # 东湖区人民政府 (a county portal, with external services)
SECOND = "3601020002"         # 东湖区教育局网站
ACCOUNT = "微信公众号:东湖发布"


def context(db, db_path: Path, settings) -> PageContext:
    return PageContext(db, Path(db_path), settings)


def target_id(db, round_id: int, key: str) -> int:
    return db.conn.execute("SELECT id FROM round_targets WHERE round_id = ? AND target_key = ?",
                           (round_id, key)).fetchone()[0]


def round_with_findings(db, name: str = "六月检查", as_of: str = "2025-06-30") -> tuple[int, dict[str, int]]:
    """A full round of the filled_db registry, every target checked; findings (all 待审核) by a short name."""
    rid = rounds.create_round(db, name, as_of)
    rounds.mark_checked(db, [t.id for t in rounds.round_targets(db, rid)], "自动检查完成")
    portal, second, account = (target_id(db, rid, k) for k in (PORTAL, SECOND, ACCOUNT))
    add = findings.add_finding
    ids = {
        "typo": add(db, rid, portal, "web.ded.publish.accuracy", kind="typo", source="自动",
                    url="http://s0001.example.gov.cn/a.html", detail="错别字：“既然”误为“即然”"),
        "broken": add(db, rid, portal, "web.ded.function.availability", kind="broken_link", source="自动",
                      url="http://s0001.example.gov.cn/b.html", detail="链接失效", count=2),
        "veto": add(db, rid, portal, "web.veto.unreachable", kind="unreachable", source="自动",
                    url="http://s0001.example.gov.cn/", detail="首页无法访问"),
        "second": add(db, rid, second, "web.ded.publish.accuracy", kind="typo", source="自动",
                      url="http://s0002.example.gov.cn/c.html", detail="错别字：“部署”误为“布署”"),
        "account": add(db, rid, account, "nm.issue.typo", kind="media.typo", source="自动", detail="推文错别字"),
    }
    return rid, ids


def status(db, finding_id: int) -> str:
    return findings.get_finding(db, finding_id).status
