"""The CLI starts fast: building the parser (what ``--version`` and ``--help`` do) imports no heavy
library; each command imports what it needs when it runs."""
import ast
import subprocess
import sys

HEAVY = ("openpyxl", "numpy", "docx", "docxtpl", "PySide6", "bs4", "pypdf", "requests", "sqlite_utils", "lxml")


def _imported_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return ast.literal_eval(proc.stdout.strip().splitlines()[-1])


def test_building_the_parser_imports_no_heavy_library():
    assert _imported_after("from app.cli import main\nmain.build_parser()") == []


def test_version_imports_no_heavy_library():
    code = ("from app.cli import main\n"
            "try:\n"
            "    main.main(['--version'])\n"
            "except SystemExit:\n"
            "    pass")
    assert _imported_after(code) == []


def test_parser_still_offers_the_core_defaults():
    """The defaults the parser takes from light modules are the ones the core uses."""
    from app.cli.main import build_parser
    from app.core.rounds import findings, rounds
    from app.core.crawl import jobs
    from app.core.office import xlsx
    from app.core.exports import FAMILIES, list_annexes

    parser = build_parser()
    check = parser.parse_args(["check", "1"])
    d = jobs.CheckOptions()
    assert (check.max_pages, check.depth, check.concurrency, check.per_host, check.delay) == \
        (d.max_pages, d.max_depth, d.concurrency, d.per_host, d.delay)
    assert parser.parse_args(["round", "create", "x", "--as-of", "2025-01-01"]).profile == rounds.DEFAULT_PROFILE
    sub = parser._subparsers._group_actions[0].choices
    status = next(a for a in sub["findings"]._subparsers._group_actions[0].choices["list"]._actions
                  if a.dest == "status")
    assert status.choices == findings.STATUSES
    export = parser.parse_args(["export", "1", "--out", "x"])
    assert (export.font, export.number_font) == (xlsx.TEXT_FONT, xlsx.NUMBER_FONT)
    annex_help = next(a for a in sub["export"]._actions if a.dest == "annex").help
    assert all(f"{f.key}（{f.label}）" in annex_help for f in list_annexes())
    assert [f.key for f in list_annexes()] == list(FAMILIES)
