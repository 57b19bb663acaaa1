"""CLI: automated checks of a round's websites (crawl, every machine check, findings as 待审核)."""
from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
import unicodedata
from pathlib import Path

from ..core.crawl.run_options import CheckOptions, RunProgress, SiteResult, clock, duration, ocr_line
from ..core.store.paths import default_db_path
from .common import run_cancellable

PLAIN_INTERVAL = 30.0          # seconds between progress lines when stderr is not a terminal


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"应不小于 {low}，实际为 {value}")
        return value
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字") from None
    if not value >= 0 or value > 3600:
        raise argparse.ArgumentTypeError(f"应在 0 到 3600 秒之间，实际为 {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    d = CheckOptions()
    p = sub.add_parser("check", help="自动检查：抓取网站、检查链接并运行全部可自动判断的指标，问题记为待审核")
    p.add_argument("round", help="轮次编号或名称")
    p.add_argument("--site", action="append", dest="sites", metavar="网站标识码",
                   help="只检查这些网站（可重复；不填为本轮全部网站）")
    p.add_argument("--max-pages", type=_int_at_least(1), default=d.max_pages, metavar="N",
                   help=f"每个网站最多抓取的页面数（默认 {d.max_pages}，列表翻页也计入）")
    p.add_argument("--depth", type=_int_at_least(0), default=d.max_depth, metavar="N",
                   help=f"从首页起的最大链接深度（默认 {d.max_depth}；列表翻页不增加深度）")
    p.add_argument("--concurrency", type=_int_at_least(1), default=d.concurrency, metavar="N",
                   help=f"同时进行的请求数（默认 {d.concurrency}）")
    p.add_argument("--per-host", type=_int_at_least(1), default=d.per_host, metavar="N",
                   help=f"对同一主机同时进行的请求数（默认 {d.per_host}）")
    p.add_argument("--delay", type=_seconds, default=d.delay, metavar="SECONDS",
                   help=f"对同一主机两次请求之间的最小间隔秒数（默认 {d.delay:g}）")
    p.add_argument("--max-links-per-page", type=_int_at_least(1), default=d.max_links_per_page, metavar="N",
                   help=f"每个页面最多取用的新链接数（默认 {d.max_links_per_page}；超出的不检查，并在网站结果中注明）")
    ocr_group = p.add_mutually_exclusive_group()
    ocr_group.add_argument("--ocr", action="store_true", dest="ocr",
                           help="识别图片和扫描版PDF中的文字并检查个人信息和严重表述错误（已安装文字识别组件时默认开启；"
                                "未安装时报错）")
    ocr_group.add_argument("--no-ocr", action="store_true", dest="no_ocr", help="不识别图片文字（只列为未扫描）")
    p.add_argument("--ocr-images", type=_int_at_least(1), default=d.ocr_images, metavar="N",
                   help=f"每个网站最多识别的图片和扫描件数（默认 {d.ocr_images}；超出的在网站结果中注明）")
    p.add_argument("--findings-out", type=Path, metavar="FILE.jsonl",
                   help="把本次检查发现的问题写成 JSONL（与 findings list 格式相同）")
    p.add_argument("--resume", action="store_true",
                   help="继续本轮最近一次未完成的检查（沿用其网站范围和选项；已抓取的页面不再重新抓取）")
    p.set_defaults(handler=cmd_check)


# ---------------------------------------------------------------- progress display

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, cols: int) -> str:
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > cols:
            break
        out.append(ch)
        used += w
    return "".join(out)


class _Display:
    """Progress on stderr: a redrawn bar on a terminal, plain lines (one per site) otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.finished: set[str] = set()
        self.drawn = False
        self.lock = threading.Lock()
        self.last_line = time.monotonic()

    def __call__(self, p: RunProgress) -> None:
        with self.lock:
            for r in p.finished:
                if r.site_key not in self.finished:
                    self.finished.add(r.site_key)
                    self._site_line(r, p)
            if self.tty:
                self._bar(p)
            elif time.monotonic() - self.last_line >= PLAIN_INTERVAL:
                # Logs of long unattended runs still show that something is happening.
                self.last_line = time.monotonic()
                eta = f"，剩余约 {clock(p.eta)}" if p.eta else ""
                print(f"进度：网站 {p.sites_done}/{p.sites_total}，页面 {p.pages}，问题 {p.findings}，"
                      f"已用 {clock(p.elapsed)}{eta}", file=self.stream, flush=True)

    def _site_line(self, r: SiteResult, p: RunProgress) -> None:
        state = {"done": "完成", "unreachable": "无法访问", "failed": "失败"}.get(r.state, r.state)
        why = f"（{r.error}）" if r.error and r.state != "done" else ""
        line = (f"[{len(self.finished)}/{p.sites_total}] {r.site_key} {r.name}：{state}{why}，"
                f"页面 {r.pages}，新增问题 {r.findings}")
        self._clear()
        print(line, file=self.stream, flush=True)
        for note in r.notes:                       # 未检测, 样本不足, links or time over the caps
            print(f"    注：{note}", file=self.stream, flush=True)

    def _bar(self, p: RunProgress) -> None:
        cols = max(40, shutil.get_terminal_size((100, 20)).columns - 1)
        frac = p.sites_done / p.sites_total if p.sites_total else 1.0
        bar_w = 20
        filled = int(frac * bar_w)
        state = "已暂停" if p.paused else ("剩余约 " + clock(p.eta) if p.eta is not None else "估算中")
        text = (f"[{'#' * filled}{'.' * (bar_w - filled)}] {p.sites_done}/{p.sites_total} 网站 · {p.pages} 页 · "
                f"{p.findings} 个问题 · 已用 {clock(p.elapsed)} · {state}")
        if p.site_name and p.site_state == "running":
            text += f" · {p.site_name}"
        text = _fit(text, cols)
        self.stream.write("\r" + text + " " * max(0, cols - _width(text)))
        self.stream.flush()
        self.drawn = True

    def _clear(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False

    def close(self) -> None:
        with self.lock:
            self._clear()


# ---------------------------------------------------------------- command

def _unfinished_run(db, round_id: int) -> int | None:
    """The latest run of the round, when it did not finish."""
    from ..core.crawl import jobs
    runs = jobs.list_runs(db, round_id)
    return runs[0].id if runs and runs[0].state != "done" else None


def _ocr_choice(args) -> bool | None:
    """--ocr requires the engine, --no-ocr turns it off; by default it is used when installed.
    None: asked for and missing (the message is printed)."""
    from ..core.checks import ocr
    if args.no_ocr or args.resume:
        return False                        # a resumed run keeps its own options
    if ocr.available():
        return True
    if args.ocr:
        print(f"错误：{ocr.MISSING}", file=sys.stderr)
        return None
    print(f"提示：{ocr.MISSING}", file=sys.stderr)
    return False


def cmd_check(args, db) -> int:
    from ..core.crawl import jobs  # the crawler and every check: only when a check runs
    from ..core.rounds import finding_io, findings, rounds  # the crawler and every check: only when a check runs
    r = rounds.ensure_open(db, rounds.find_round(db, args.round).id)
    db_path = args.db or default_db_path()
    use_ocr = _ocr_choice(args)
    if use_ocr is None:
        return 2
    options = CheckOptions(max_pages=args.max_pages, max_depth=args.depth, concurrency=args.concurrency,
                           per_host=args.per_host, delay=args.delay, max_links_per_page=args.max_links_per_page,
                           ocr=use_ocr, ocr_images=args.ocr_images)
    resume_id = None
    if args.resume:
        resume_id = _unfinished_run(db, r.id)
        if resume_id is None:
            print("错误：本轮最近一次检查已经完成，没有可继续的检查", file=sys.stderr)
            return 2
    elif args.sites:
        known = {t.target_key for t in rounds.round_targets(db, r.id, "site")}
        missing = [k for k in args.sites if k not in known]
        if missing:
            print(f"错误：本轮检查对象中没有这些网站：{'、'.join(missing)}", file=sys.stderr)
            return 2
    if not rounds.round_targets(db, r.id, "site"):
        print(f"错误：轮次“{r.name}”没有网站检查对象", file=sys.stderr)
        return 2

    display = _Display()
    cancel = jobs.CancelToken()
    def work():
        if resume_id is not None:
            return jobs.resume_run(db_path, resume_id, progress=display, cancel=cancel)
        return jobs.run_checks(db_path, r.id, args.sites, options, progress=display, cancel=cancel)

    try:
        s, interrupted = run_cancellable(work, cancel, "check-run")
    finally:
        display.close()
    for e in s.errors[:5]:
        print(f"注意：{e}", file=sys.stderr)
    if len(s.errors) > 5:
        print(f"注意：另有 {len(s.errors) - 5} 条检查出错信息未显示", file=sys.stderr)
    if s.ocr:
        print(ocr_line(s.ocr), file=sys.stderr)
    written = ""
    if args.findings_out:
        ids = set(jobs.run_finding_ids(db, s.run_id, s.finding_ids))
        rows = [f for f in findings.list_findings(db, r.id) if f.id in ids]
        args.findings_out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.findings_out, "w", encoding="utf-8", newline="\n") as fp:
            n = finding_io.write_jsonl(db, rows, fp)
        written = f"，已写出 {n} 条 → {args.findings_out}"
    head = "检查已取消" if s.cancelled else "检查完成"
    sites = f"{s.sites_done}/{s.sites_total}" if s.cancelled else f"{s.sites_total}"
    tail = f"（任务 {s.run_id}，可用 --resume 继续）" if s.cancelled else f"（任务 {s.run_id}）"
    print(f"{head}：网站 {sites} 个，页面 {s.pages} 个，问题 {s.findings + s.existing} 条"
          f"（新增 {s.findings}，已有 {s.existing}），用时 {duration(s.elapsed)}{tail}{written}")
    return 130 if (s.cancelled and interrupted) else (1 if s.cancelled else 0)
