"""CLI: ``score ROUND [--json]`` — per-target scores and the round summary."""
from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING

from ..core.errors import GovInspectError
from .common import read_only

if TYPE_CHECKING:
    import sqlite_utils

    from ..core.rounds.round_scores import RoundScores
    from ..core.rounds.scoring import Counts, TypeSummary


def register(subparsers) -> None:
    p = subparsers.add_parser("score", help="计算检查轮次的得分与合格率（或一年各轮次的合计）",
                              description="按轮次使用的指标规则集计算每个网站、账号的得分，并汇总合格率；"
                                          "--json 另含通报用的统计（无扣分点、满分、问题出现比例、例外地区、找错、名录规范）。"
                                          "--year 汇总一年内的检查轮次：次数、全覆盖次数、在任一轮不合格的网站和账号。")
    p.add_argument("round", metavar="ROUND", nargs="?", help="轮次编号（或完整的轮次名称）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 文档")
    p.add_argument("--year", type=int, metavar="YYYY", help="汇总该年度（监测时间点在该年）的全部轮次")
    p.add_argument("--rate-decimals", type=int, choices=[0, 1, 2], default=2,
                   help="统计中比例的小数位（默认 2）")
    p.set_defaults(handler=run_score)


def _resolve(db: sqlite_utils.Database, ref: str) -> int:
    ref = ref.strip()
    if ref.isdigit():
        return int(ref)
    rows = db.conn.execute("SELECT id FROM rounds WHERE name = ?", (ref,)).fetchall()
    if len(rows) > 1:
        raise GovInspectError(f"有多个名为“{ref}”的检查轮次，请改用轮次编号。")
    if not rows:
        raise GovInspectError(f"未找到检查轮次“{ref}”。")
    return rows[0][0]


@read_only
def run_score(args, db: sqlite_utils.Database) -> int:
    if args.year is not None and args.round is None:
        return run_year(args, db)
    if args.round is None:
        raise GovInspectError("请给出轮次编号，或用 --year 汇总一年的轮次。")
    from ..core.rounds.round_scores import score_round, to_document
    from ..core.rounds.rounds import get_round
    rid = _resolve(db, args.round)
    scores = score_round(db, rid)
    veto_only = get_round(db, rid).veto_only
    if args.json:
        doc = to_document(scores)
        doc["round"]["veto_only"] = veto_only
        if veto_only:                      # only the veto items were checked: 合格/不合格, no score
            for t in doc["targets"]:
                t["final_score"] = t["deduction_score"] = t["bonus_score"] = None
        from ..core.exports.annex_data import load_round_data
        from ..core.exports.options import ExportOptions
        from ..core.exports.statistics import statistics_doc
        data = load_round_data(db, rid, options=ExportOptions(rate_decimals=args.rate_decimals))
        doc["statistics"] = statistics_doc(data)
        if args.year is not None:
            doc["year"] = _year_doc(db, args.year)
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(render(scores, veto_only))
    return 0


def _year_doc(db, year: int) -> dict:
    from ..core.rounds.year_totals import year_totals
    return year_totals(db, year).to_dict()


def run_year(args, db: sqlite_utils.Database) -> int:
    doc = _year_doc(db, args.year)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"{doc['year']}年：检查轮次 {doc['rounds']} 次，其中全覆盖 {doc['full_coverage_rounds']} 次")
    for r in doc["round_list"]:
        print(f"  #{r['id']} {r['name']}（监测时间点 {r['as_of']}，{'全覆盖' if r['full'] else '抽查'}）")
    for key, label, unit in (("sites", "网站", "家"), ("accounts", "政务新媒体", "个")):
        k = doc[key]
        failing = f"在任一轮不合格的 {k['failing']} {unit}" + (f"：{'、'.join(k['failing_names'])}" if k["failing"] else "")
        print(f"{label}：最近一轮 {k['latest_total']} {unit}，全年检查 {k['checks']} {unit}次，{failing}")
    return 0


# ---------------------------------------------------------------- human form

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        if used + _width(ch) > width - 1:
            break
        out, used = out + ch, used + _width(ch)
    return out + "…"


def _table(headers: list[str], rows: list[list[str]], limits: dict[int, int] | None = None) -> list[str]:
    limits = limits or {}
    rows = [[_cut(c, limits[i]) if i in limits else c for i, c in enumerate(r)] for r in rows]
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = lambda cells: "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [fmt(headers), fmt(["-" * w for w in widths]), *map(fmt, rows)]


def _num(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _rate(c: Counts) -> str:
    return "—" if c.pass_rate is None else f"{c.pass_rate}%"


def _summary_lines(label: str, s: TypeSummary) -> list[str]:
    o = s.overall
    lines = [f"{label}：共 {s.total} 个，检查 {o.checked} 个，合格 {o.passed} 个，不合格 {o.failed} 个，"
             f"合格率 {_rate(o)}，存在突出问题 {o.outstanding} 个，未检查 {len(s.not_checked)} 个，"
             f"待检查 {len(s.pending)} 个"]
    if s.pending:
        lines.append(f"  注意：覆盖不完整（{s.coverage}），合格率只按已检查的对象计算。")
    if s.by_region:
        rows = [[k, str(c.checked), str(c.passed), str(c.failed), _rate(c)] for k, c in s.by_region.items()]
        lines += ["  " + line for line in _table(["地区", "检查", "合格", "不合格", "合格率"], rows)]
    if s.not_checked:
        lines.append(f"  未检查：{'、'.join(s.not_checked)}")
    if s.pending:
        lines.append(f"  待检查：{'、'.join(s.pending)}")
    return lines


def render(scores: RoundScores, veto_only: bool = False) -> str:
    r = scores.round
    out = [f"检查轮次 #{r.id}：{r.name}（{r.kind}，监测时间点 {r.as_of}）",
           f"指标规则集：{r.profile_id} {r.profile_version}".rstrip(), ""]
    if veto_only:
        out.insert(2, "本轮只检查单项否决指标：结果只有合格/不合格，不计分。")
    for ttype, label in (("site", "网站"), ("account", "政务新媒体")):
        targets = [t for t in scores.targets if t.target_type == ttype]
        if not targets:
            continue
        rows = []
        for t in targets:
            s, checked = t.score, t.checked and not veto_only
            problems = "；".join([f"否决：{d.name}" for d in s.deductions if d.role == "veto"]
                                + [f"{d.name} -{d.points:g}" for d in s.deductions
                                   if d.role == "deduction" and d.points])
            rows.append([t.key, t.name, t.region or "—", t.result,
                         _num(s.final_score) if checked else "—", _num(s.deduction_score) if checked else "—",
                         _num(s.bonus_score) if checked else "—", problems or "—"])
        out.append(f"【{label}】{len(targets)} 个")
        out += _table(["标识", "名称", "地区", "结果", "总分", "扣分指标得分", "加分", "否决项/扣分"], rows,
                      {0: 24, 1: 28, 7: 60})
        out.append("")
    out.append("【汇总】")
    out += _summary_lines("网站", scores.summary.sites)
    out += _summary_lines("政务新媒体", scores.summary.accounts)
    if scores.unverified_used:
        out += ["", "注意：部分得分用到了尚未核对的指标分值或规则（已核对=否），对外通报前请对照原文核对规则集。"]
    return "\n".join(out)
