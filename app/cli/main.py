"""Entry point: no command opens the GUI; a command runs headless.

Each command group lives in its own module exposing ``register(subparsers)``;
a handler takes (args, db) and returns an exit status.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .. import __version__
from ..core.errors import GovInspectError
from ..core.store.paths import default_db_path

# Command modules, each with register(subparsers). Order = help order.
COMMAND_MODULES = [
    "app.cli.registry_cmds",
    "app.cli.round_cmds",
    "app.cli.score_cmds",
    "app.cli.check_cmds",
    "app.cli.export_cmds",
    "app.cli.report_cmds",
    "app.cli.media_cmds",
    "app.cli.monitor_cmds",
    "app.cli.probe_cmds",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with a readable message, like argparse but in Chinese context
        self.print_usage(sys.stderr)
        print(f"错误：{message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m app", description="政网巡检 GovInspect")
    parser.add_argument("--version", action="version", version=f"GovInspect {__version__}")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"数据库文件（默认：{default_db_path()}）")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的错误跟踪（供维护人员排查）")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:   # group not built yet
                continue
            raise
        module.register(sub)
    return parser


def _open_db(args):
    """The command's database: read-only commands may open a read-only file; a new or empty file
    is announced before it is initialised."""
    from ..core.store import db as store
    path = args.db or default_db_path()
    if getattr(args.handler, "read_only", False) and path.is_file() and not store.writable(path):
        return store.connect_read_only(path)
    ancestor = next((p for p in path.parents if p.exists()), None)
    if args.db is not None and (ancestor is None or ancestor.is_dir()):
        if not path.exists():
            folder = "" if path.parent.exists() else f"（并建立文件夹“{path.parent}”）"
            print(f"提示：数据库文件“{path}”不存在，将新建一个空数据库{folder}。", file=sys.stderr)
        elif path.is_file() and path.stat().st_size == 0:
            print(f"提示：“{path}”是空文件，将初始化为新的数据库。", file=sys.stderr)
    return store.connect(path)


def _log_traceback() -> str:
    """Write the current exception's traceback to the log in the data folder; its path ('' if none)."""
    import traceback

    from ..core.store.paths import user_data_dir
    try:
        folder = user_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "govinspect-cli.log"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc() + "\n")
        return str(log)
    except OSError:
        return ""


def _quiet_broken_pipe() -> int:
    """`score … | head`: the reader left; end quietly (no second error while flushing stdout)."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        from ..ui.app import run_gui  # Qt only when the GUI is wanted
        return run_gui(args.db)
    db = None
    try:
        db = _open_db(args)
        return int(args.handler(args, db) or 0)
    except GovInspectError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except OSError as exc:
        from ..core.store.db import os_reason
        if args.debug:
            raise
        where = f"“{exc.filename}”：" if getattr(exc, "filename", None) else ""
        print(f"错误：{where}{os_reason(exc)}。", file=sys.stderr)
        return 1
    except Exception as exc:          # a bug: say so plainly, keep the traceback for the maintainer
        if args.debug:
            raise
        log = _log_traceback()
        print(f"错误：程序内部错误（{type(exc).__name__}：{exc}）。" + (f"详细信息已记入 {log}；" if log else "")
              + "加 --debug 可显示完整跟踪。", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.close()


if __name__ == "__main__":
    sys.exit(main())
