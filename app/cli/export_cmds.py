"""CLI: ``export ROUND --out DIR [--annex …] [--circular] [--profile FILE] …`` — annex workbooks and
the circular draft. Every layout choice of the GUI is an option here or in a saved export profile
(options given on the command line override the profile's)."""
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
                       description="按检查轮次生成通报附件和通报草稿，逐行输出写入的文件路径。"
                                   "版式可用 --profile 载入导出方案（在图形界面“导出”页保存，或用 --save-profile 写出），"
                                   "命令行上给出的选项优先于方案中的设置。")
    p.add_argument("round", metavar="ROUND", help="轮次编号（或完整的轮次名称）")
    p.add_argument("--out", type=Path, required=True, help="输出文件夹")
    p.add_argument("--annex", help=f"附件类型，逗号分隔（默认全部）：{families}")
    p.add_argument("--circular", action="store_true", help="同时生成通报草稿（.docx 和 .txt）")
    p.add_argument("--profile", type=Path, metavar="FILE", help="导出方案（.json）：附件、标题、版式和通报草稿的设置")
    p.add_argument("--save-profile", type=Path, metavar="FILE", help="把本次的全部设置另存为导出方案")
    p.add_argument("--area", help="标题中的地区名称，如“江州市”（默认取地区结构中的省/市）")
    p.add_argument("--period", help="期间，如“2025年第三季度”（默认按轮次名称或日期）")
    p.add_argument("--subtitle", help="附件副标题模板，如“({期间})”；空字符串为不加副标题")
    p.add_argument("--rate-decimals", type=int, choices=[0, 1, 2], help="合格率小数位：0（96%%）、1（98.8%%）、2（99.80%%，默认）")
    p.add_argument("--message-rate-decimals", type=int, choices=[0, 1, 2], help="找错留言按期办结率小数位（默认 2）")
    p.add_argument("--short-platforms", action="store_true", help="平台写简称（微信、微博）")
    p.add_argument("--split-summary", action="store_true", help="网站和政务新媒体的地区汇总分别成表（两个附件）")
    p.add_argument("--problems-scope", choices=["all", "veto"], help="问题清单范围：all 全部问题，veto 仅单项否决（突出问题）")
    p.add_argument("--problems-text", choices=["indicator", "detail"],
                   help="问题清单“问题”列：indicator 指标名称加描述，detail 只写问题描述")
    p.add_argument("--messages-from", help="找错留言统计起始日 YYYY-MM-DD（默认检查期）")
    p.add_argument("--messages-to", help="找错留言统计截止日 YYYY-MM-DD（默认检查期）")
    p.add_argument("--issuer", help="发文单位（通报草稿标题和落款）")
    p.add_argument("--addressees", help="主送，如“各区、县(市)人民政府，市政府各部门：”")
    p.add_argument("--doc-number", help="文号，如“川办便函〔2025〕368号”")
    p.add_argument("--issue-date", help="成文日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--deadline", help="整改截止日期 YYYY-MM-DD（默认成文日期后若干工作日）")
    p.add_argument("--deadline-workdays", type=int, metavar="N", help="整改期限（工作日，默认 10）")
    p.add_argument("--year-overview", action="store_true", help="通报草稿加“全年总体情况”（本年度各轮次的合计）")
    p.add_argument("--no-basis", action="store_true", help="开头不引用国办秘函〔2019〕19号")
    p.add_argument("--no-embed", action="store_true", help="通报草稿正文后不附附件表格")
    p.add_argument("--font", default=TEXT_FONT, help=f"表格文字字体（默认 {TEXT_FONT}）")
    p.add_argument("--number-font", default=NUMBER_FONT, help=f"表格数字字体（默认 {NUMBER_FONT}）")
    p.add_argument("--with-rates", action="store_true", help="地区汇总加检查数、合格数、合格率列")
    p.add_argument("--max-names", type=int, metavar="N",
                   help="通报草稿中每类问题最多列出的名称数（默认 0：全部列出）")
    p.set_defaults(handler=run_export)


def _date(text: str | None, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise GovInspectError(f"{label}“{text}”不是有效日期，应为 YYYY-MM-DD。") from None


def build_profile(args):
    """The export profile: defaults, then the --profile file, then the options given here."""
    import dataclasses

    from ..core.exports.annex_data import parse_families
    from ..core.exports.options import ExportProfile, load_profile
    profile = load_profile(args.profile) if args.profile else ExportProfile()
    o, c = profile.options, profile.circular_options
    if args.annex is not None:
        try:
            profile.families = parse_families(args.annex)
        except ValueError as exc:
            raise GovInspectError(str(exc)) from None
    profile.circular = profile.circular or args.circular
    for attr, value in (("area", args.area), ("period", args.period), ("subtitle", args.subtitle),
                        ("rate_decimals", args.rate_decimals), ("message_rate_decimals", args.message_rate_decimals)):
        if value is not None:
            setattr(o, attr, value)
    if args.short_platforms:
        o.short_platforms = True
    if args.messages_from:
        o.messages_from = _date(args.messages_from, "找错留言统计起始日")
    if args.messages_to:
        o.messages_to = _date(args.messages_to, "找错留言统计截止日")
    # A font other than the default overrides the profile's (the defaults leave the profile's alone).
    fonts = {k: v for k, v, d in (("text_font", args.font, TEXT_FONT), ("number_font", args.number_font, NUMBER_FONT))
             if v and v != d}
    if fonts:
        o.style = dataclasses.replace(o.style, **fonts)
    if args.with_rates:
        o.summary.show_checked = o.summary.show_passed = o.summary.show_rate = True
    if args.split_summary:
        o.summary.split = True
    if args.problems_scope:
        o.problems.scope = args.problems_scope
    if args.problems_text:
        o.problems.text = args.problems_text
    for attr, value in (("issuer", args.issuer), ("addressees", args.addressees), ("doc_number", args.doc_number)):
        if value is not None:
            setattr(c, attr, value)
    if args.issue_date:
        c.issue_date = _date(args.issue_date, "成文日期")
    if args.deadline:
        c.deadline = _date(args.deadline, "整改截止日期")
    if args.deadline_workdays is not None:
        c.deadline_workdays = max(args.deadline_workdays, 1)
    if args.max_names is not None:
        c.max_names = max(args.max_names, 0)
    if args.year_overview:
        c.year_overview = True
    if args.no_basis:
        c.cite_basis = False
    if args.no_embed:
        c.embed_annexes = False
    return profile


def run_export(args, db: sqlite_utils.Database) -> int:
    from ..core.exports import export_round
    from ..core.exports.options import save_profile
    from ..core.rounds import rounds
    profile = build_profile(args)
    rnd = rounds.find_round(db, args.round)
    if args.save_profile:
        print(f"已保存导出方案：{save_profile(profile, args.save_profile)}", file=sys.stderr)
    result = export_round(db, rnd.id, args.out, profile.families, profile.circular, profile.options,
                          profile.circular_options)
    for note in result.notes:
        print(f"提示：{note}", file=sys.stderr)
    for path in result.paths:
        print(path)
    if not result.paths:
        print(f"提示：没有生成任何文件（可选附件：{'、'.join(FAMILIES)}）。", file=sys.stderr)
    return 0
