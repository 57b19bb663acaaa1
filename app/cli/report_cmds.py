"""CLI: ``report ROUND [--site CODE …] --out DIR`` — one .docx per target: score, deductions with
their evidence and screenshots. Drawing screenshots needs Qt: it is imported inside the handler
(offscreen when there is no display), so the CLI starts as fast as before."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import GovInspectError

if TYPE_CHECKING:
    import sqlite_utils


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="生成单个检查对象的检查报告（Word：得分、扣分依据、证据和截图）",
                       description="为检查轮次中的网站（或新媒体账号）各生成一份检查报告（.docx），逐行输出写入的文件路径。"
                                   "确认的问题如有网页留痕而尚无截图，会先从留痕生成截图。")
    p.add_argument("round", metavar="ROUND", help="轮次编号（或完整的轮次名称）")
    p.add_argument("--site", action="append", metavar="CODE",
                   help="网站标识码（新媒体账号用“平台:账号名称”），可重复；默认所有有问题记录的对象")
    p.add_argument("--out", type=Path, required=True, help="输出文件夹")
    p.add_argument("--no-shots", action="store_true", help="不生成新截图，只用已有的截图")
    p.set_defaults(handler=run_report)


def run_report(args, db: sqlite_utils.Database) -> int:
    from ..core.exports.shots import latest_shots
    from ..core.exports.site_report import report_targets, write_site_report
    from ..core.rounds import rounds
    from ..core.rounds.round_scores import score_round
    from ..core.rounds.scoring import CONFIRMED

    rnd = rounds.find_round(db, args.round)
    targets = report_targets(db, rnd.id, args.site)
    if not targets:
        raise GovInspectError("本轮次还没有问题记录，没有要生成报告的对象；可用 --site 指定对象。")
    if args.out.exists() and not args.out.is_dir():
        raise GovInspectError(f"“{args.out}”不是文件夹。")
    scores = score_round(db, rnd.id)
    for t in targets:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM findings WHERE target_id = ? AND status = ?",
                                             (t.id, CONFIRMED))]
        if ids and not args.no_shots:
            missing = [i for i in ids if i not in latest_shots(db, ids)]
            if missing:
                from ..ui.evidence_shots import make_screenshots     # Qt: only when drawing
                made = make_screenshots(db, missing)
                for fid, reason in made.skipped:
                    if reason and "没有保存的网页留痕" not in reason:
                        print(f"提示：问题 {fid} 未生成截图：{reason}", file=sys.stderr)
        report = write_site_report(db, rnd.id, t, args.out, latest_shots(db, ids), scores)
        print(report.path)
    return 0
