"""CLI: inspection rounds (create, list, close, reopen) and findings (import, list/export)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.registry import vocab
from .common import command, command_group, error, fail, read_only


def register(sub: argparse._SubParsersAction) -> None:
    rsub = command_group(sub, "round", "检查轮次：创建（全量/抽样/回头看）、列表、关闭、重新打开")

    p = command(rsub, "create", "创建检查轮次并冻结检查对象；最后一行输出新轮次编号", cmd_create)
    p.add_argument("name", help="轮次名称，如“2025年第二季度检查”")
    p.add_argument("--as-of", required=True, help="监测时间点 YYYY-MM-DD：此日在运行的网站和账号")
    p.add_argument("--from", dest="period_from", help="检查期起始日期")
    p.add_argument("--to", dest="period_to", help="检查期截止日期")
    p.add_argument("--kind", default="月度", help=f"类型：{'/'.join(vocab.ROUND_KINDS)}（默认 月度）")
    p.add_argument("--profile", default=vocab.DEFAULT_PROFILE, help=f"指标体系（默认 {vocab.DEFAULT_PROFILE}）")
    p.add_argument("--sample-sites", metavar="PCT", help="网站抽样比例（百分比，不填为全量）")
    p.add_argument("--sample-accounts", metavar="PCT", help="新媒体账号抽样比例（百分比，不填为全量）")
    p.add_argument("--stratify", action="store_true", help="按地区分层抽样（每个地区至少一个）")
    p.add_argument("--seed", help="随机种子（同一种子得到同一样本；不填则随机生成并记录）")
    p.add_argument("--recheck", metavar="ROUND", help="回头看：纳入该轮次中确认且未整改的对象")
    p.add_argument("--sample-sites-count", metavar="N", help="网站抽样数量（与 --sample-sites 二选一）")
    p.add_argument("--sample-accounts-count", metavar="N", help="新媒体账号抽样数量（与 --sample-accounts 二选一）")
    p.add_argument("--census-sites", metavar="名称", help="普查的网站：地区、地区分组、级别或网站类别（顿号/逗号分隔），其余再抽样")
    p.add_argument("--census-accounts", metavar="名称",
                   help="普查的新媒体账号：地区、地区分组或级别（如“区、市级部门”），其余再抽样")
    p.add_argument("--veto-only", action="store_true", help="只检查单项否决指标（结果只有合格/不合格，不计分）")

    p = command(rsub, "mark-checked", "把检查完毕的对象标为“已检查”（只有已检查的对象计入合格率）", cmd_mark_checked,
                round=True)
    p.add_argument("keys", nargs="*", metavar="KEY", help="网站标识码或“平台:账号名称”（不填须加 --all）")
    p.add_argument("--all", action="store_true", help="本轮所有仍为“待检查”的对象")
    p.add_argument("--type", choices=["site", "account"], help="只标此类对象（与 --all 一起用）")

    command(rsub, "list", "列出检查轮次", cmd_list)

    command(rsub, "close", "关闭轮次（之后只读）", cmd_close, round=True)

    p = command(rsub, "reopen", "重新打开已关闭的轮次（须说明原因，记入操作日志）", cmd_reopen, round=True)
    p.add_argument("--reason", required=True, help="重新打开的原因")

    fsub = command_group(sub, "findings", "检查发现的问题：导入、列出/导出")

    command(fsub, "import", "从 .xlsx/.csv 导入问题（全部无误才写入）", cmd_import, round=True, import_file=True)

    p = command(fsub, "list", "列出问题：JSONL（默认输出到屏幕）或 .xlsx（需 --out）", cmd_list_findings, round=True)
    p.add_argument("--status", choices=vocab.FINDING_STATUSES, help="只列出此状态")
    p.add_argument("--kind", help="只列出此问题类型")
    p.add_argument("--region", help="只列出此地区")
    p.add_argument("--format", choices=["jsonl", "xlsx"], help="输出格式（默认 jsonl；--out 以 .xlsx 结尾时为 xlsx）")
    p.add_argument("--out", type=Path, help="输出文件")


def _pct_text(pct, count=None, census: str = "", n_census: int = 0) -> str:
    text = "全量" if pct is None and count is None else (f"抽样 {pct:g}%" if count is None else f"抽样 {count} 个")
    if census:
        text = f"普查“{census}” {n_census} 个" + ("，其余" + text if text != "全量" else "")
    return text


def cmd_create(args, db) -> int:
    from ..core.rounds import rounds
    recheck = rounds.find_round(db, args.recheck).id if args.recheck else None
    rid = rounds.create_round(
        db, args.name, args.as_of, period_from=args.period_from, period_to=args.period_to, kind=args.kind,
        profile_id=args.profile, sample_sites_pct=args.sample_sites, sample_accounts_pct=args.sample_accounts,
        stratify_by_region=args.stratify, seed=args.seed, recheck_round_id=recheck,
        sample_sites_count=args.sample_sites_count, sample_accounts_count=args.sample_accounts_count,
        census_sites=args.census_sites or "", census_accounts=args.census_accounts or "", veto_only=args.veto_only)
    r = rounds.get_round(db, rid)
    targets = rounds.round_targets(db, rid)
    n_recheck = sum(1 for t in targets if t.reason == "回头看")
    census = {k: sum(1 for t in targets if t.target_type == k and t.reason == "普查") for k in ("site", "account")}
    period = f"，检查期 {r.period_from or '…'} 至 {r.period_to or '…'}" if (r.period_from or r.period_to) else ""
    print(f"已创建检查轮次“{r.name}”（{r.kind}，监测时间点 {r.as_of}{period}，指标体系 {r.profile_id}）")
    strat = "，按地区分层" if r.stratify_by_region else ""
    print(f"网站 {r.site_count} 个（{_pct_text(r.sample_sites_pct, r.sample_sites_count, r.census_sites, census['site'])}），"
          f"政务新媒体 {r.account_count} 个（{_pct_text(r.sample_accounts_pct, r.sample_accounts_count, r.census_accounts, census['account'])}）"
          f"{strat}；随机种子 {r.seed}")
    if r.veto_only:
        print("只检查单项否决指标：结果只有合格/不合格，不计分。")
    if r.recheck_round_id:
        print(f"回头看：纳入轮次 {r.recheck_round_id} 中未整改的对象 {n_recheck} 个")
    print(rid)
    return 0


def cmd_mark_checked(args, db) -> int:
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    if not args.keys and not args.all:
        return error("请列出要标记的对象，或用 --all 标记本轮全部待检查的对象")
    targets = rounds.round_targets(db, r.id, args.type)
    by_key = {t.target_key: t for t in targets}
    unknown = [k for k in args.keys if k not in by_key]
    if unknown:
        return error(f"本轮没有这些对象：{'、'.join(unknown)}")
    chosen = targets if args.all else [by_key[k] for k in args.keys]
    rounds.ensure_open(db, r.id)
    changed = rounds.mark_checked(db, [t.id for t in chosen], "检查完毕（命令行）")
    kept = sum(1 for t in chosen if t.review_state == "未检查")
    print(f"已标记为“已检查”：{len(changed)} 个" + (f"（{kept} 个标为“未检查”的保持不变）" if kept else ""))
    return 0


@read_only
def cmd_list(args, db) -> int:
    from ..core.rounds import rounds
    rows = rounds.list_rounds(db)
    if not rows:
        print("还没有检查轮次。")
        return 0
    print("编号\t名称\t类型\t监测时间点\t网站\t新媒体\t问题(确认/全部)\t状态")
    for r in rows:
        print(f"{r.id}\t{r.name}\t{r.kind}\t{r.as_of}\t{r.site_count}\t{r.account_count}\t"
              f"{r.confirmed_count}/{r.finding_count}\t{'已关闭' if r.closed else '进行中'}")
    return 0


def cmd_close(args, db) -> int:
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    rounds.close_round(db, r.id)
    print(f"已关闭检查轮次“{r.name}”（编号 {r.id}），此后只读。")
    return 0


def cmd_reopen(args, db) -> int:
    from ..core.rounds import rounds
    r = rounds.find_round(db, args.round)
    rounds.reopen_round(db, r.id, args.reason)
    print(f"已重新打开检查轮次“{r.name}”（编号 {r.id}），原因已记入操作日志。")
    return 0


def cmd_import(args, db) -> int:
    from ..core.rounds import finding_io, rounds
    r = rounds.find_round(db, args.round)
    result = finding_io.import_findings(db, r.id, args.file, dry_run=args.dry_run)
    if not result.ok:
        return fail(result.problems, result.summary())
    print(result.summary())
    return 0


@read_only
def cmd_list_findings(args, db) -> int:
    from ..core.rounds import finding_io, findings, rounds
    r = rounds.find_round(db, args.round)
    fmt = args.format or ("xlsx" if args.out and args.out.suffix.lower() == ".xlsx" else "jsonl")
    if fmt == "xlsx" and not args.out:
        return error("xlsx 格式需要用 --out 指定输出文件")
    rows = findings.list_findings(db, r.id, status=args.status, kind=args.kind, region=args.region)
    if fmt == "xlsx":
        n = finding_io.export_xlsx(db, r.id, rows, args.out)
        print(f"已导出 {n} 条问题 → {args.out}")
    elif args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8", newline="\n") as fp:
            n = finding_io.write_jsonl(db, rows, fp)
        print(f"已导出 {n} 条问题 → {args.out}")
    else:
        finding_io.write_jsonl(db, rows, sys.stdout)
    return 0
