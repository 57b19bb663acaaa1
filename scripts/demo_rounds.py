"""Three inspection rounds on the demo registry, for screenshots and trying the app out.

    python scripts/demo_rounds.py DB.sqlite      # an empty or new database file

Builds the demo registry (江州市), then 2025年第一季度 and 第二季度 (every target checked,
problems confirmed, 整改 notices, closed) and 2025年第三季度 (open: a few sites crawled and
reviewed, a queue still to review, new-media observations, overdue 整改, 找错 messages). No
network: findings are written as the checks would write them. Deterministic.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json  # noqa: E402

from app.core.crawl.jobs import start_run  # noqa: E402
from app.core.followup import media_review, messages, rectify  # noqa: E402
from app.core.registry.demo import build_demo  # noqa: E402
from app.core.rounds import findings, rounds  # noqa: E402

# indicator, kind, detail, page path, count; the last two are 单项否决 items.
WEB_PROBLEMS = [
    ("web.ded.publish.accuracy", "typo", "错别字：“部署”误为“布署”", "/xwzx/gzdt/202507/t2025071{n}.html", 1),
    ("web.ded.function.availability", "broken_link", "链接失效（HTTP 404）：/xxgk/tzgg/2019/index.html",
     "/xxgk/index.html", 3),
    ("web.ded.publish.columns", "column_stale", "“通知公告”栏目自 2025-01-10 起未更新", "/xxgk/tzgg/", 1),
    ("web.ded.publish.privacy", "pii", "页面公开了未脱敏的身份证号 2 个（已打码）", "/xxgk/gsgg/20250{n}.html", 1),
    ("web.ded.function.domain_marks", "footer_missing", "首页底部缺少网站标识码", "/", 1),
    ("web.ded.function.ipv6", "ipv6_missing", "首页域名没有 IPv6（AAAA）解析", "/", 1),
    ("web.ded.publish.policy_docs.r2", "policy_metadata_missing", "政策文件缺少发文字号、成文日期",
     "/zcwj/2025{n}.html", 2),
    ("web.ded.interaction.messages.r1", "message_unanswered", "留言“关于小区供暖”超过 2 个月未答复",
     "/hdjl/lyb/", 1),
    ("web.veto.home_not_updated", "homepage_stale", "首页 14 天内无更新：最近日期 2025-07-21", "/", 1),
    ("web.veto.unreachable", "unreachable", "监测周内首页无法访问 12 次，占 7.1%（不少于 5% 即否决）", "/", 1),
]
ROUNDS = [  # name, as_of, from, to, kind
    ("2025年第一季度检查", "2025-03-14", "2025-03-01", "2025-03-14", "季度"),
    ("2025年第二季度检查", "2025-06-13", "2025-06-01", "2025-06-13", "季度"),
    ("2025年第三季度检查", "2025-08-14", "2025-08-01", "2025-08-14", "季度"),
]


def _add(db, rid: int, target, problem: tuple, status: str, n: int) -> int:
    indicator, kind, detail, path, count = problem
    url = target.url.rstrip("/") + path.format(n=n % 10)
    day = db.conn.execute("SELECT COALESCE(period_to, as_of) FROM rounds WHERE id = ?", (rid,)).fetchone()[0]
    return findings.add_finding(db, rid, target.id, indicator, kind=kind, source="自动", status=status,
                                count=count, url=url, page=url, detail=detail, detected_at=f"{day} 11:20:00",
                                who="示例")


def _web_findings(db, rid: int, sites: list, rng: random.Random, carry: dict, closed: bool) -> None:
    """Problems on about a third of the sites; some carried over from the previous round (回头看)."""
    for n, t in enumerate(sites):
        picks = list(carry.get(t.target_key, ()))
        if rng.random() < 0.35:
            picks.append(rng.choice(WEB_PROBLEMS[:8] if rng.random() < 0.85 else WEB_PROBLEMS))
        for p in dict.fromkeys(picks):
            status = "确认" if closed else rng.choice(["确认", "确认", "待审核", "待审核", "存疑", "误报"])
            _add(db, rid, t, p, status, n)
        carry[t.target_key] = [p for p in picks if rng.random() < 0.5]


UNREACHABLE = 9              # the site whose homepage did not open (its veto is confirmed in the last round)


def _crawled(db, rid: int, sites: list, day: str, rng: random.Random) -> None:
    """A finished check run over ``sites`` on ``day``, as the engine leaves it."""
    run = start_run(db, rid, [t.target_key for t in sites])
    states = {t.target_key: {"state": "unreachable" if n == UNREACHABLE else "done", "pages": rng.randint(80, 200),
                             "findings": 0, "elapsed": round(rng.uniform(20, 90), 1)} for n, t in enumerate(sites)}
    db.conn.execute("UPDATE check_runs SET state = 'done', started_at = ?, finished_at = ?, summary = ? WHERE id = ?",
                    (f"{day} 09:00:00", f"{day} 11:40:00", json.dumps({"sites": states}, ensure_ascii=False), run))
    db.conn.commit()


def _account_reviews(db, rid: int, accounts: list, rng: random.Random, count: int) -> None:
    for t in accounts[:count]:
        stale = rng.random() < 0.2
        media_review.save_observation(db, t.id, {
            "last_update": "2025-07-20" if stale else "2025-08-12", "posts_in_period": 0 if stale else rng.randint(3, 30),
            "interaction_ok": rng.random() > 0.1}, who="示例")


def _messages(db, sites: list, rng: random.Random) -> None:
    for n in range(1, 19):
        t = rng.choice(sites)
        day = 1 + n % 14
        closed = n % 5 != 0
        messages.add_message(db, {
            "message_no": f"ZC2025080{n:02d}", "site_code": t.target_key, "submitted_at": f"2025-08-{day:02d} 09:30",
            "forwarded_at": f"2025-08-{day:02d} 15:00", "problem_type": rng.choice(["错别字", "链接不可用", "内容更新不及时"]),
            "description": "网页上有错误", "state": "已办结" if closed else "办理中",
            "answered_at": f"2025-08-{min(28, day + (2 if n % 4 else 6)):02d} 10:00" if closed else "",
            "is_valid": "属实" if n % 3 else "不属实"}, who="示例")


def build(db) -> list[int]:
    """The demo registry and three rounds; returns the round ids, oldest first."""
    build_demo(db)
    rng = random.Random(2025)
    carry: dict = {}
    ids = []
    for i, (name, as_of, start, end, kind) in enumerate(ROUNDS):
        last = i == len(ROUNDS) - 1
        rid = rounds.create_round(db, name, as_of, start, end, kind=kind, sample_accounts_pct=10, seed=7 + i,
                                  who="示例")
        ids.append(rid)
        targets = rounds.round_targets(db, rid)
        sites = [t for t in targets if t.target_type == "site"]
        accounts = [t for t in targets if t.target_type == "account"]
        checked_sites = sites[:14] if last else sites
        _web_findings(db, rid, checked_sites, rng, carry, closed=not last)
        _crawled(db, rid, checked_sites, end, rng)
        if last:        # two sites fail on a 单项否决 item, confirmed
            for n, problem in ((2, WEB_PROBLEMS[8]), (UNREACHABLE, WEB_PROBLEMS[9])):
                _add(db, rid, sites[n], problem, "确认", n)
        rounds.mark_checked(db, [t.id for t in checked_sites], "自动检查完成", "示例")
        _account_reviews(db, rid, accounts, rng, 12 if last else len(accounts))
        if last:        # the review of one stale account confirmed; a colleague's finding imported
            stale = findings.list_findings(db, rid, status="待审核", kind="media.not_updated")
            findings.set_status(db, [f.id for f in stale[:1]], "确认", who="示例")
            findings.add_finding(db, rid, accounts[3].id, "nm.issue.typo", kind="错别字", source="导入", status="确认",
                                 detail="推文《防汛工作部署》中“部署”误为“布署”", who="示例")
        if not last:
            findings.set_status(db, [f.id for f in findings.list_findings(db, rid, status="待审核")], "确认",
                                who="示例")
        rectify.create_notices(db, rid, issued_on=end.replace("-14", "-18").replace("-13", "-17"), who="示例")
        if last:
            rounds.set_review_state(db, sites[-1].id, "未检查", "检查期间网站迁移，无法访问", who="示例")
            _messages(db, sites, rng)
        else:
            for n in rectify.list_notices(db, rid):
                for item in n.items[: max(1, len(n.items) - 1)]:
                    rectify.update_item(db, item.id, status="已整改", feedback="已修改", who="示例")
            rounds.close_round(db, rid, who="示例")
    return ids


if __name__ == "__main__":
    from app.core.store.db import connect
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    database = connect(Path(sys.argv[1]))
    print("rounds:", build(database))
