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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        from ..ui.app import run_gui  # Qt only when the GUI is wanted
        return run_gui(args.db)
    from ..core.store.db import connect
    try:
        db = connect(args.db or default_db_path())
    except GovInspectError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    try:
        return int(args.handler(args, db) or 0)
    except GovInspectError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
