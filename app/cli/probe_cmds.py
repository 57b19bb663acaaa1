"""CLI: homepage probe records — import a probe log, and the 站点无法访问 verdict of a round."""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from .common import add_import_file, add_round, error, fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("probes", help="首页拨测记录：导入外部拨测日志；按监测周判定站点无法访问")
    actions = p.add_subparsers(dest="probes_action", metavar="{import,verdict}", required=True)
    i = actions.add_parser("import", help="导入拨测记录（.xlsx/.csv：时间、网址或网站标识码、耗时（秒）、是否成功），全部成功才写入")
    add_import_file(i)
    i.set_defaults(handler=cmd_import)
    v = actions.add_parser("verdict", help="按监测时间点前 7 天的拨测记录判定每个网站（否决/正常/样本不足/无记录），"
                                            "问题记为待审核")
    add_round(v)
    v.add_argument("--json", action="store_true", help="输出 JSON 列表（site、probes、failed、ratio、verdict、slow）")
    v.set_defaults(handler=cmd_verdict)


def cmd_import(args, db) -> int:
    from ..core.crawl.probe_import import apply_probe_import, plan_probe_import
    plan = plan_probe_import(db, args.file)
    if not plan.ok:
        return fail(plan.problems, plan.summary())
    if args.dry_run:
        print(f"{plan.summary()}（未写入）")
        return 0
    n = apply_probe_import(db, plan)
    dup = f"，跳过已有 {plan.duplicates} 条" if plan.duplicates else ""
    print(f"已导入 {n} 条拨测记录（{plan.sites} 个网站）{dup}")
    return 0


def _pad(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def cmd_verdict(args, db) -> int:
    from ..core.checks.availability import VERDICT_NONE, VERDICT_OK, VERDICT_SHORT, VERDICT_VETO
    from ..core.crawl.probe_verdicts import record_verdicts, round_verdicts
    from ..core.rounds import rounds
    rnd = rounds.find_round(db, args.round)
    result = round_verdicts(db, rnd.id)
    if not result.sites:
        return error(f"轮次“{rnd.name}”没有网站检查对象")
    recorded = None
    if not rnd.closed:
        recorded = record_verdicts(db, result)
    if args.json:
        json.dump([s.to_json() for s in result.sites], sys.stdout, ensure_ascii=False, indent=1)
        print()
        out = sys.stderr
    else:
        out = sys.stdout
        print(f"站点无法访问判定：轮次“{rnd.name}”，监测期 {result.start} 至 {result.end}")
        print(_pad("网站标识码", 12) + _pad("拨测", 7) + _pad("失败", 7) + _pad("占比", 9) + _pad("判定", 10)
              + _pad("慢", 6) + "网站名称")
        for s in result.sites:
            ratio = "—" if s.ratio is None else f"{s.ratio * 100:.2f}%"
            print(_pad(s.site, 12) + _pad(str(s.probes), 7) + _pad(str(s.failed), 7) + _pad(ratio, 9)
                  + _pad(s.verdict, 10) + _pad(str(s.slow), 6) + s.name)
        for s in result.sites:
            if s.verdict == VERDICT_SHORT:
                print(f"样本不足 {s.site} {s.name}：每天至少 {s.week.need} 次，{s.week.short_text()}")
    counts = "、".join(f"{v} {result.count(v)}" for v in (VERDICT_VETO, VERDICT_OK, VERDICT_SHORT, VERDICT_NONE))
    print(f"合计：{counts}", file=out)
    if result.skipped_kinds:
        print(f"注意：本轮指标体系不含 {'、'.join(result.skipped_kinds)} 对应的指标，未记录此类问题", file=out)
    if recorded is None:
        print(f"轮次“{rnd.name}”已关闭：只显示判定，未记录问题", file=out)
    else:
        print(f"问题记为待审核：新增 {len(recorded.added)} 条，已有 {len(recorded.existing)} 条", file=out)
    return 0
