"""CLI: ``export ROUND --out DIR [--annex …] [--circular]`` — annex workbooks and the circular draft."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import GovInspectError
from ..core.exports.families import ANNEX_LABELS, FAMILIES
from ..core.office.fonts import NUMBER_FONT, TEXT_FONT

if TYPE_CHECKING:
    import sqlite_utils


def register(sub: argparse._SubParsersAction) -> None:
    families = "、".join(f"{key}（{label}）" for key, label in ANNEX_LABELS.items())
    p = sub.add_parser("export", help="生成通报附件（Excel）和通报草稿（Word/文本）",
                       description="按检查轮次生成通报附件和通报草稿，逐行输出写入的文件路径。")
    p.add_argument("round", metavar="ROUND", help="轮次编号（或完整的轮次名称）")
    p.add_argument("--out", type=Path, required=True, help="输出文件夹")
    p.add_argument("--annex", help=f"附件类型，逗号分隔（默认全部）：{families}")
    p.add_argument("--circular", action="store_true", help="同时生成通报草稿（.docx 和 .txt）")
    p.add_argument("--area", help="标题中的地区名称，如“江州市”（默认取名录中的市/省）")
    p.add_argument("--period", help="期间，如“2025年第三季度”（默认按轮次类型和日期）")
    p.add_argument("--issuer", help="发文单位（通报草稿落款）")
    p.add_argument("--issue-date", help="成文日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--deadline", help="整改截止日期 YYYY-MM-DD（默认成文日期后10个工作日）")
    p.add_argument("--font", default=TEXT_FONT, help=f"表格文字字体（默认 {TEXT_FONT}）")
    p.add_argument("--number-font", default=NUMBER_FONT, help=f"表格数字字体（默认 {NUMBER_FONT}）")
    p.add_argument("--with-rates", action="store_true", help="地区汇总加检查数、合格数、合格率列")
    p.add_argument("--max-names", type=int, default=0, metavar="N",
                   help="通报草稿中每类问题最多列出的对象名称数（默认 0：全部列出）")
    p.set_defaults(handler=run_export)


def _date(text: str | None, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GovInspectError(f"{label}“{text}”不是有效日期，应为 YYYY-MM-DD。") from None


def run_export(args, db: sqlite_utils.Database) -> int:
    from ..core.exports import CircularOptions, ExportOptions, export_round
    from ..core.exports.annex_data import parse_families
    from ..core.office.xlsx import SheetStyle
    from ..core.rounds import rounds
    try:
        families = parse_families(args.annex)
    except ValueError as exc:
        raise GovInspectError(str(exc)) from None
    rnd = rounds.find_round(db, args.round)
    options = ExportOptions(area=args.area or "", period=args.period or "",
                            style=SheetStyle(text_font=args.font, number_font=args.number_font))
    if args.with_rates:
        options.summary.show_checked = options.summary.show_passed = options.summary.show_rate = True
    circular = CircularOptions(issuer=args.issuer or "", issue_date=_date(args.issue_date, "成文日期"),
                               deadline=_date(args.deadline, "整改截止日期"), max_names=max(args.max_names, 0))
    result = export_round(db, rnd.id, args.out, families, args.circular, options, circular)
    for note in result.notes:
        print(f"提示：{note}", file=sys.stderr)
    for path in result.paths:
        print(path)
    if not result.paths:
        print(f"提示：没有生成任何文件（可选附件：{'、'.join(FAMILIES)}）。", file=sys.stderr)
    return 0
