"""What the command groups share: round and import arguments, and the "print problems, exit 2" ending."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.registry.validation import BadValue, date as parse_date


def command_group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """``python -m app <name> <subcommand> …``: the subcommands' parsers are added to what this returns."""
    return sub.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", required=True)


def command(sub: argparse._SubParsersAction, name: str, help: str, handler, *,
            round: bool = False, import_file: bool = False) -> argparse.ArgumentParser:
    """A command run by ``handler(args, db)``, optionally with the round argument (add_round)
    and the import file arguments (add_import_file); add further arguments to what it returns."""
    p = sub.add_parser(name, help=help)
    if round:
        add_round(p)
    if import_file:
        add_import_file(p)
    p.set_defaults(handler=handler)
    return p


def read_only(handler):
    """Mark a command that only reads the database: it may open a read-only file."""
    handler.read_only = True
    return handler


def add_round(p: argparse.ArgumentParser) -> None:
    p.add_argument("round", help="轮次编号或名称")


def add_import_file(p: argparse.ArgumentParser) -> None:
    """The file to import and --dry-run (report only)."""
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")


def error(message: str) -> int:
    """Say what is wrong on stderr; the exit code for bad input."""
    print(f"错误：{message}", file=sys.stderr)
    return 2


def fail(problems, summary: str) -> int:
    """An import that was refused: every problem on stdout, the summary as the error."""
    for p in problems:
        print(p)
    return error(summary)


def checked_import(result) -> int | None:
    """Report a planned table import: its warnings, then either its problems (returning exit
    code 2: nothing is written) or the columns it ignored (returning None: go on)."""
    for w in result.warnings:
        print(f"提示：{w}")
    if not result.ok:
        return fail(result.problems, result.summary())
    if result.unmapped:
        print(f"未识别、已忽略的列：{'、'.join(result.unmapped)}")
    return None


def parse_as_of(args) -> int | None:
    """Turn ``args.as_of`` (when given) into a date in place; an exit code when it is not a date."""
    if args.as_of:
        try:
            args.as_of = parse_date(args.as_of, required=True)
        except BadValue as exc:
            return error(f"--as-of {exc}")
    return None


def bounded(kind: type, low, high, noun: str):
    """An argparse type: a number of ``kind`` between ``low`` and ``high`` (Chinese messages)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是{noun}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 到 {high} 之间，实际为 {text}")
        return value
    return parse


def run_cancellable(work, cancel, name: str):
    """Run ``work()`` in its own thread so that Ctrl-C (delivered to the main thread) cancels it
    through ``cancel`` cleanly and the work so far is kept. Returns (result, interrupted); re-raises
    what ``work`` raised. Waits on an Event, not Thread.join: a join interrupted by
    KeyboardInterrupt can leave the thread looking finished when it is not."""
    import threading
    box: dict = {}
    finished = threading.Event()

    def target():
        try:
            box["result"] = work()
        except BaseException as exc:            # handed to the main thread, which reports it
            box["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    interrupted = False
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            interrupted = True
            cancel.cancel()
    if "error" in box:
        raise box["error"]
    return box["result"], interrupted
