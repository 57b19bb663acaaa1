"""CLI: demo, import sites/accounts, registry stats, registry export."""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ..core.office.textwidth import text_width
from .common import add_import_file, checked_import, command, command_group, parse_as_of, read_only

KINDS = {"sites": "site", "accounts": "account"}


def register(sub: argparse._SubParsersAction) -> None:
    command(sub, "demo", "载入示例名录（江州市，约60个网站、300个新媒体账号）", cmd_demo)

    p = command(sub, "import", "从 .xlsx/.csv 导入网站、新媒体名录或地区结构（全部成功才写入）", cmd_import)
    p.add_argument("kind", choices=sorted([*KINDS, "regions"]),
                   help="sites：政府网站；accounts：政务新媒体；regions：地区结构（地区、分组、级别、排序）")
    add_import_file(p)

    rsub = command_group(sub, "registry", "名录统计与导出")
    p = command(rsub, "stats", "按地区×类别/平台、按状态统计（可指定截至日期）", cmd_stats)
    p.add_argument("--as-of", help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    command(rsub, "regions", "列出地区结构（地区、分组、级别、排序），即通报附件的行序", cmd_regions)
    p = command(rsub, "export", "导出名录到 .xlsx（与导入列相同）", cmd_export)
    p.add_argument("file", type=Path)


def cmd_demo(args, db) -> int:
    from ..core.registry import demo
    counts = demo.build_demo(db)
    print(f"已载入示例名录：地区 {counts['regions']} 个，网站 {counts['sites']} 个，新媒体账号 {counts['accounts']} 个。")
    return 0


def cmd_import_regions(args, db) -> int:
    from ..core.registry import regions
    plan = regions.plan_regions_import(db, args.file)
    if (code := checked_import(plan)) is not None:
        return code
    if _show_plan(plan, regions.LABELS, args.dry_run):
        return 0
    done = regions.apply_regions_import(db, plan)
    print(f"导入完成：新增 {len(done.new)}，变更 {len(done.changed)}，未变 {len(done.unchanged)}。")
    return 0


def _show_plan(plan, labels: dict, dry_run: bool) -> bool:
    """Print each changed row of a checked import plan; on a dry run also the summary (True: stop)."""
    for number, _rid, old, new in plan.changed:
        changes = "；".join(f"{labels.get(k, k)}：{old.get(k) or '（空）'} → {v}" for k, v in new.items())
        print(f"变更 第{number}行：{changes}")
    if dry_run:
        print(f"{plan.summary()}（试运行，未写入）")
    return dry_run


def cmd_regions(args, db) -> int:
    from ..core.registry import regions
    rows = [[r["name"], r["group_name"] or "", r["level"] or "", str(r["sort_order"]), r["code"] or ""]
            for r in regions.list_regions(db)]
    if not rows:
        print("还没有地区。可用“import regions FILE”导入地区结构。")
        return 0
    print(_table(["地区", "分组", "级别", "排序", "行政区划代码"], rows))
    return 0


def cmd_import(args, db) -> int:
    if args.kind == "regions":
        return cmd_import_regions(args, db)
    from ..core.registry import importing
    from ..core.registry.fields import LABEL
    kind = KINDS[args.kind]
    plan = importing.plan_import(db, kind, args.file)
    if (code := checked_import(plan)) is not None:
        return code
    if _show_plan(plan, LABEL[kind], args.dry_run):
        return 0
    result = importing.apply_import(db, plan)
    print(f"导入完成：新增 {result.inserted}，变更 {result.updated}，未变 {result.unchanged}。")
    return 0


@read_only
def cmd_stats(args, db) -> int:
    from ..core.registry.stats import registry_stats
    if (code := parse_as_of(args)) is not None:
        return code
    stats = registry_stats(db, args.as_of)
    if args.json:
        doc = {"as_of": args.as_of, **{("sites" if k == "site" else "accounts"): asdict(v) for k, v in stats.items()}}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    when = f"截至 {args.as_of}" if args.as_of else "截至今天"
    for kind, title, col in (("site", "政府网站", "类别"), ("account", "政务新媒体", "平台")):
        s = stats[kind]
        print(f"{title}（{when}）：共 {s.total} 个，在运行 {s.running} 个")
        print("  按状态：" + ("，".join(f"{k} {v}" for k, v in s.by_status.items()) or "无"))
        if s.by_region:
            print(f"  在运行的按地区×{col}：")
            header = ["地区", *s.columns, "合计"]
            rows = [[r, *[str(c.get(x, 0)) for x in s.columns], str(sum(c.values()))] for r, c in s.by_region.items()]
            rows.append(["合计", *[str(sum(c.get(x, 0) for c in s.by_region.values())) for x in s.columns], str(s.running)])
            print(_table(header, rows))
        print()
    return 0


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(text_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    pad = lambda s, w: s + " " * (w - text_width(s))
    return "\n".join("    " + "  ".join(pad(c, widths[i]) for i, c in enumerate(r)) for r in [header, *rows])


@read_only
def cmd_export(args, db) -> int:
    from ..core.registry import export as registry_export
    counts = registry_export.export_registry(db, args.file)
    print(f"已导出：网站 {counts['site']} 个，新媒体账号 {counts['account']} 个 → {args.file}")
    return 0
