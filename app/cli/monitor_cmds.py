"""CLI: the availability monitor (headless, or one cycle for a scheduled task) and its
scheduled task (schtasks on Windows; a cron line elsewhere)."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
from pathlib import Path

from ..core.store.paths import default_db_path
from .common import bounded, run_cancellable

PLATFORM = sys.platform                 # tests set "win32" to see the schtasks command built
DEFAULT_INTERVAL = "30m"
MIN_INTERVAL = 60.0
MAX_VALID_INTERVAL = 72 * 60.0          # 20 probes a day at least


def _span(text: str) -> float:
    from ..core.crawl.monitor_task import parse_span
    try:
        return parse_span(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_timeout = bounded(float, 1, 120, "秒数")
_workers = bounded(int, 1, 128, "整数")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("monitor", help="可用性监测：按间隔拨测运行中网站的首页，保存每次结果（站点无法访问的依据）")
    p.add_argument("--interval", type=_span, default=DEFAULT_INTERVAL, metavar="时长",
                   help="两轮拨测的间隔，如 30m、1h（默认 30m，即每天 48 次）")
    how_long = p.add_mutually_exclusive_group()
    how_long.add_argument("--for", dest="duration", type=_span, metavar="时长",
                          help="运行这么久后停止，如 7d（默认一直运行，Ctrl-C 停止）")
    how_long.add_argument("--once", action="store_true", help="只拨测一轮后退出（供 Windows 计划任务调用）")
    p.add_argument("--site", dest="sites", action="extend", nargs="+", metavar="网站标识码",
                   help="只监测这些网站（默认名录中全部运行中的网站）")
    p.add_argument("--timeout", type=_timeout, default=15.0, metavar="秒",
                   help="超过这么多秒仍未打开首页即计为失败（默认 15）")
    p.add_argument("--concurrency", type=_workers, default=16, metavar="N", help="同时拨测的网站数（默认 16）")
    p.set_defaults(handler=cmd_monitor)
    actions = p.add_subparsers(dest="monitor_action", metavar="{install,uninstall}")
    i = actions.add_parser("install", help="注册计划任务，定时运行 monitor --once（Windows；其他系统显示 cron 行）")
    i.add_argument("--every", type=_span, default=DEFAULT_INTERVAL, metavar="时长", help="运行间隔（默认 30m）")
    i.set_defaults(handler=cmd_install)
    u = actions.add_parser("uninstall", help="删除本数据库的监测计划任务")
    u.set_defaults(handler=cmd_uninstall)


# ---------------------------------------------------------------- monitor

def _clock(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%H:%M:%S")


class _Display:
    """A redrawn progress line on a terminal (stderr); one line per cycle on stdout."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.lock = threading.Lock()
        self.drawn = False

    def __call__(self, p) -> None:
        from ..core.crawl.monitor import ERROR_KINDS
        with self.lock:
            if p.state == "probing" and self.tty:
                self._draw(f"第{p.cycle}轮拨测中：{p.done}/{p.total}，失败 {p.failed}")
            elif p.state == "cycle_done" and p.summary is not None:
                s = p.summary
                kinds = "、".join(f"{ERROR_KINDS.get(k, k)} {n}" for k, n in sorted(s.by_kind.items(), key=lambda x: -x[1]))
                skipped = f"，已跳过 {p.skipped} 轮（休眠或上一轮超时）" if p.skipped else ""
                self._line(f"第{s.number}轮（{s.started_at}）：拨测 {s.probed}/{s.total} 个网站，失败 {s.failed} 个"
                           f"{f'（{kinds}）' if kinds else ''}，用时 {s.elapsed:.1f} 秒；下一轮 {_clock(p.next_at)}{skipped}")
            elif p.state == "waiting" and self.tty and p.next_at:
                self._draw(f"等待下一轮：{_clock(p.next_at)}")

    def _draw(self, text: str) -> None:
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self.drawn = True

    def _line(self, text: str) -> None:
        self.close()
        print(text, flush=True)

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


def cmd_monitor(args, db) -> int:
    from ..core.crawl import probe_store
    from ..core.crawl.monitor import ERROR_KINDS, Monitor, MonitorOptions
    from ..core.crawl.monitor_task import format_span
    from ..core.crawl.run_tokens import CancelToken
    from ..core.errors import ValidationError

    if args.interval < MIN_INTERVAL:
        print(f"错误：--interval 至少 1 分钟，实际为 {format_span(args.interval)}", file=sys.stderr)
        return 2
    try:
        sites = probe_store.monitored_sites(db, args.sites)
    except ValidationError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if not sites:
        print("错误：名录中没有可监测的网站（运行中且有首页网址）", file=sys.stderr)
        return 2
    if args.interval > MAX_VALID_INTERVAL and not args.once:
        print(f"提示：间隔 {format_span(args.interval)} 时每天拨测不足 20 次，监测周的记录将“样本不足”，"
              "不能作站点无法访问的否决判定", file=sys.stderr)
    options = MonitorOptions(interval=args.interval, timeout=args.timeout, concurrency=args.concurrency)
    db_path = args.db or default_db_path()
    display = _Display()
    cancel = CancelToken()
    monitor = Monitor(db_path, options, args.sites, display, cancel)
    what = "一轮" if args.once else (f"{format_span(args.duration)}" if args.duration else "直到 Ctrl-C")
    print(f"可用性监测：{len(sites)} 个网站，每{format_span(args.interval)}一轮，超时 {args.timeout:g} 秒，运行{what}",
          flush=True)
    try:
        s, interrupted = run_cancellable(lambda: monitor.run(once=args.once, duration=args.duration), cancel, "monitor")
    finally:
        display.close()
    if args.once and s.last is not None:
        last = s.last
        kinds = "、".join(f"{ERROR_KINDS.get(k, k)} {n}" for k, n in sorted(last.by_kind.items(), key=lambda x: -x[1]))
        print(f"拨测 {last.probed}/{last.total} 个网站，失败 {last.failed} 个{f'（{kinds}）' if kinds else ''}，"
              f"用时 {last.elapsed:.1f} 秒")
    else:
        skipped = f"；跳过 {s.skipped} 轮（休眠或上一轮超时）" if s.skipped else ""
        print(f"监测{'已停止' if s.cancelled else '结束'}：共 {s.cycles} 轮，拨测 {s.probes} 次，失败 {s.failed} 次{skipped}")
    return 130 if interrupted else 0


# ---------------------------------------------------------------- scheduled task

def run_schtasks(argv: list[str]):
    """Run schtasks (its messages come in the console's code page); a CompletedProcess."""
    import subprocess
    return subprocess.run(argv, capture_output=True, text=True, errors="replace")


def cmd_install(args, db) -> int:
    import subprocess
    from ..core.crawl.monitor_task import (SCHTASKS_TR_LIMIT, cron_line, format_span, monitor_command,
                                           schtasks_create, task_name)
    db_path = Path(args.db or default_db_path()).resolve()
    command = monitor_command(db_path)
    try:
        if PLATFORM == "win32":
            argv = schtasks_create(db_path, args.every, command)
        else:
            line = cron_line(db_path, args.every, command, db_path.with_name(db_path.stem + "-monitor.log"))
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if PLATFORM != "win32":
        print("此系统不是 Windows：未注册计划任务，也未改动 crontab。如需定时监测，请运行 crontab -e 并加入这一行：")
        print(line)
        return 0
    tr = argv[argv.index("/TR") + 1]
    if len(tr) > SCHTASKS_TR_LIMIT:
        print(f"错误：命令行长 {len(tr)} 个字符，超过计划任务允许的 {SCHTASKS_TR_LIMIT} 个；请把数据库放到路径较短的文件夹",
              file=sys.stderr)
        return 2
    proc = run_schtasks(argv)
    if proc.returncode != 0:
        print(f"错误：注册计划任务失败：{(proc.stderr or proc.stdout or '').strip()}", file=sys.stderr)
        return 1
    print(f"已注册计划任务“{task_name(db_path)}”：从现在起每{format_span(args.every)}运行一次")
    print(f"运行的命令：{tr}")
    print(f"注册所用命令：{subprocess.list2cmdline(argv)}")
    return 0


def cmd_uninstall(args, db) -> int:
    import subprocess
    from ..core.crawl.monitor_task import schtasks_delete, task_name
    db_path = Path(args.db or default_db_path()).resolve()
    if PLATFORM != "win32":
        print(f"此系统不是 Windows：没有注册过计划任务。如曾按提示加入 cron 行，请运行 crontab -e 删除含“{db_path}”"
              "和“monitor --once”的那一行。")
        return 0
    argv = schtasks_delete(db_path)
    proc = run_schtasks(argv)
    if proc.returncode != 0:
        print(f"错误：删除计划任务“{task_name(db_path)}”失败：{(proc.stderr or proc.stdout or '').strip()}",
              file=sys.stderr)
        return 1
    print(f"已删除计划任务“{task_name(db_path)}”（{subprocess.list2cmdline(argv)}）")
    return 0
