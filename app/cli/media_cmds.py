"""CLI: new-media monitoring import, 找错 messages, registry hygiene, 整改 (rectification)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..core.office.textwidth import text_width
from .common import checked_import, command, command_group, fail, parse_as_of, read_only


def register(sub: argparse._SubParsersAction) -> None:
    msub = command_group(sub, "media", "政务新媒体检查：导入监测数据")
    command(msub, "import", "导入监测数据（平台、账号名称/账号ID、最近发布时间、期间发布条数），全部无误才写入",
            cmd_media_import, round=True, import_file=True)

    msub = command_group(sub, "messages", "“我为政府网站找错”留言：导入、统计")
    command(msub, "import", "导入找错平台导出的留言（.xlsx/.csv），全部无误才写入；已有留言编号则更新",
            cmd_messages_import, import_file=True)
    p = command(msub, "stats", "受理、属实、办结、按期办结率、平均办理时长、超期（总体和按单位）", cmd_messages_stats)
    p.add_argument("--from", dest="period_from", required=True, help="起始日期 YYYY-MM-DD（按提交时间）")
    p.add_argument("--to", dest="period_to", required=True, help="截止日期 YYYY-MM-DD")
    p.add_argument("--days", type=int, help="办理时限（工作日，默认取设置，未设置为 3）")
    p.add_argument("--today", help="按此日期判断未办结留言是否超期（默认今天）")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = command(sub, "hygiene", "名录规范性检查：同一平台多账号、未备案开设、注销后仍发布、主体不一致、非 .gov.cn 域名、"
                "单位撤销未关停", cmd_hygiene)
    p.add_argument("--discovered", type=Path, help="监测发现的账号清单（平台、账号名称、账号ID、主体）")
    p.add_argument("--monitoring", type=Path, help="监测数据（最近发布时间），用于判断注销后仍在发布")
    p.add_argument("--as-of", help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--round", help="同时在此轮次中记为待审核问题（仅限本轮检查对象）")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    rsub = command_group(sub, "rectify", "整改：生成整改通知、复核、导出台账和通知单")
    p = command(rsub, "create", "按主办单位为本轮确认的问题生成整改通知", cmd_rectify_create, round=True)
    p.add_argument("--issued", help="通知日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--days", type=int, help="整改期限：通知日期后的工作日数（默认取设置，未设置为 10）")
    command(rsub, "recheck", "复核：重新访问问题链接，记录 已整改/未整改/无法访问", cmd_rectify_recheck, round=True)
    p = command(rsub, "export", "导出整改台账（.xlsx）和每个单位的整改通知单", cmd_rectify_export, round=True)
    p.add_argument("--out", type=Path, required=True, help="输出文件夹")
    p.add_argument("--format", choices=["docx", "xlsx"], default="docx", help="整改通知单格式（默认 docx）")


def _table(header: list[str], rows: list[list]) -> str:
    rows = [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(text_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    pad = lambda s, w: s + " " * (w - text_width(s))  # noqa: E731
    return "\n".join("  " + "  ".join(pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in [header, *rows])


# ---------------------------------------------------------------- media

def cmd_media_import(args, db) -> int:
    from ..core.followup import media_monitoring, media_rules
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    result = media_monitoring.import_monitoring(db, r.id, args.file, dry_run=args.dry_run)
    if not result.ok:
        return fail(result.problems, result.summary())
    for p in result.skipped:
        print(f"提示：{p}")
    if result.unmapped:
        print("提示：本轮指标体系中没有对应指标，未生成问题："
              + "、".join(media_rules.KIND_ZH.get(k, k) for k in result.unmapped))
    print(result.summary())
    return 0


# ---------------------------------------------------------------- messages

def cmd_messages_import(args, db) -> int:
    from ..core.followup import messages
    result = messages.import_messages(db, args.file, dry_run=args.dry_run)
    if (code := checked_import(result)) is not None:
        return code
    for number, _mid, old, new in result.changed:
        changes = "；".join(f"{messages.LABELS.get(k, k)}：{old.get(k) or '（空）'} → {v if v is not None else '（空）'}"
                           for k, v in new.items() if k != "site_id")
        if changes:
            print(f"变更 第{number}行：{changes}")
    print(result.summary())
    return 0


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _avg(value) -> str:
    return "—" if value is None else f"{value}"


@read_only
def cmd_messages_stats(args, db) -> int:
    from ..core.followup import messages
    report = messages.message_stats(db, args.period_from, args.period_to, days=args.days, today=args.today)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    s = report.overall
    print(f"“我为政府网站找错”留言统计（{report.period_from} 至 {report.period_to}，"
          f"办理时限 {report.deadline_workdays} 个工作日）")
    print(f"受理 {s.received} 条，属实 {s.valid} 条，办结 {s.closed} 条，按期办结 {s.closed_on_time} 条，"
          f"按期办结率 {_pct(s.on_time_rate)}，平均办理时长 {_avg(s.avg_workdays)} 个工作日，超期 {s.overdue} 条")
    if report.by_unit:
        print("按单位：")
        rows = [[u.unit_name, u.stats.received, u.stats.valid, u.stats.closed, u.stats.closed_on_time,
                 _pct(u.stats.on_time_rate), _avg(u.stats.avg_workdays), u.stats.overdue] for u in report.by_unit]
        print(_table(["单位", "受理", "属实", "办结", "按期办结", "按期办结率", "平均办理时长", "超期"], rows))
    if report.overdue:
        print(f"超期留言（按 {report.today} 计）：")
        print(_table(["留言编号", "网站", "单位", "转办时间", "办理期限", "答复时间", "逾期工作日"],
                     [[o.message_no, o.site_name, o.unit_name, o.forwarded_at or o.submitted_at, o.deadline,
                       o.answered_at or "未办结", o.late_workdays] for o in report.overdue]))
    if report.calendar_note:
        print(f"提示：{report.calendar_note}")
    return 0


# ---------------------------------------------------------------- hygiene

def cmd_hygiene(args, db) -> int:
    from ..core.followup import hygiene
    from ..core.rounds import rounds
    if (code := parse_as_of(args)) is not None:
        return code
    report = hygiene.check_registry(db, args.as_of or None, discovered=args.discovered, monitoring=args.monitoring)
    if not report.ok:
        return fail(report.problems, f"发现 {len(report.problems)} 处问题，未进行检查。")
    recorded = None
    if args.round:
        r = rounds.find_round(db, args.round)
        recorded = hygiene.record_findings(db, r.id, report)
    if args.json:
        doc = report.to_dict()
        if recorded is not None:
            doc["findings"] = {"added": len(recorded.added), "updated": len(recorded.updated),
                               "withdrawn": len(recorded.withdrawn), "skipped": len(recorded.skipped)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"名录规范性检查（截至 {report.as_of}）：发现问题 {len(report.issues)} 个")
    for rule, issues in report.by_rule().items():
        print(f"【{hygiene.RULES[rule]}】{len(issues)} 个")
        for i in issues:
            what = "网站" if i.target_type == "site" else f"{i.platform}账号"
            where = "，".join(x for x in (i.unit_name, i.region_name) if x)
            print(f"  {what}“{i.name}”{f'（{where}）' if where else ''}：{i.detail}")
    if recorded is not None:
        print(f"已记入轮次：新增问题 {len(recorded.added)}，更新 {len(recorded.updated)}，撤回 {len(recorded.withdrawn)}，"
              f"未记入 {len(recorded.skipped)}（不在本轮检查对象中或指标体系无对应指标）")
    return 0


# ---------------------------------------------------------------- rectify

def cmd_rectify_create(args, db) -> int:
    from ..core.followup import rectify
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    result = rectify.create_notices(db, r.id, issued_on=args.issued, days=args.days)
    if not result.notices:
        print("本轮没有确认的问题，未生成整改通知。")
        return 0
    print(f"整改通知：新建 {result.created} 份，新增整改事项 {result.items_added} 条；共 {len(result.notices)} 个单位。")
    print(_table(["单位", "通知日期", "整改期限", "事项", "未整改"],
                 [[n.unit_name, n.issued_on, n.deadline, len(n.items), n.open_count] for n in result.notices]))
    if result.calendar_note:
        print(f"提示：{result.calendar_note}")
    return 0


def cmd_rectify_recheck(args, db) -> int:
    from ..core.followup import rectify
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    summary = rectify.recheck_round(db, r.id)
    for o in summary.outcomes:
        print(f"[{o.result or rectify.NEEDS_MANUAL}] {o.target_name}：{o.note}")
    for it in summary.manual:
        print(f"[{rectify.NEEDS_MANUAL}] {it.target_name}：{it.detail}（无可访问的链接）")
    print(f"复核完成：已整改 {summary.count('已整改')}，未整改 {summary.count('未整改')}，"
          f"无法访问 {summary.count('无法访问')}，需人工复核 {summary.undecided + len(summary.manual)}"
          f"（其中无链接 {len(summary.manual)}）；无需整改未复核 {len(summary.skipped)}。")
    return 0


def cmd_rectify_export(args, db) -> int:
    from ..core.followup import rectify
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    result = rectify.export_round(db, r.id, args.out, args.format)
    print(f"已导出整改台账（{result.items} 条）→ {result.ledger}")
    print(f"已导出整改通知单 {len(result.notices)} 份 → {args.out / '整改通知单'}")
    return 0
