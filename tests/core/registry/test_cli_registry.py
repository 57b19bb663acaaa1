"""The registry CLI contract: demo, import (exit 2, nothing written), stats, export."""
import json
import subprocess
import sys

from sitesetup import run_cli as run
from tablefiles import SITE_HEADERS, site_row, write_csv, write_xlsx


def test_demo_stats_export(tmp_path, capsys):
    dbp = tmp_path / "r.sqlite"
    code, out, _ = run(capsys, "--db", dbp, "demo")
    assert code == 0 and "网站 60 个" in out
    code, out, _ = run(capsys, "--db", dbp, "registry", "stats", "--as-of", "2025-06-30", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2025-06-30"
    assert doc["sites"]["total"] == 60 and doc["sites"]["running"] == 57
    assert doc["sites"]["by_status"] == {"正常": 57, "关停": 2, "整合迁移": 1}
    assert sum(sum(r.values()) for r in doc["sites"]["by_region"].values()) == 57
    assert doc["accounts"]["total"] == 300
    code, out, _ = run(capsys, "--db", dbp, "registry", "stats")
    assert code == 0 and "按地区×类别" in out and "合计" in out
    code, out, _ = run(capsys, "--db", dbp, "registry", "export", tmp_path / "out.xlsx")
    assert code == 0 and (tmp_path / "out.xlsx").exists()


def test_import_dry_run_then_real(tmp_path, capsys):
    dbp = tmp_path / "r.sqlite"
    path = write_xlsx(tmp_path / "s.xlsx", SITE_HEADERS, [site_row(i) for i in (1, 2)])
    code, out, _ = run(capsys, "--db", dbp, "import", "sites", path, "--dry-run")
    assert code == 0 and "新增 2" in out and "试运行" in out
    code, out, _ = run(capsys, "--db", dbp, "registry", "stats", "--json")
    assert json.loads(out)["sites"]["total"] == 0
    code, out, _ = run(capsys, "--db", dbp, "import", "sites", path)
    assert code == 0 and "新增 2" in out


def test_import_invalid_rows_exit_2(tmp_path, capsys):
    dbp = tmp_path / "r.sqlite"
    rows = [site_row(1), site_row(2, 网站标识码="99"), site_row(3, 网站类别="企业")]
    code, out, err = run(capsys, "--db", dbp, "import", "sites", write_csv(tmp_path / "b.csv", SITE_HEADERS, rows))
    assert code == 2
    assert "第3行 网站标识码" in out and "第4行 网站类别" in out and "未写入" in err
    code, out, _ = run(capsys, "--db", dbp, "registry", "stats", "--json")
    assert json.loads(out)["sites"]["total"] == 0


def test_errors_are_clear(tmp_path, capsys):
    code, _, err = run(capsys, "--db", tmp_path / "r.sqlite", "import", "sites", tmp_path / "missing.xlsx")
    assert code == 1 and "不存在" in err
    code, _, err = run(capsys, "--db", tmp_path / "r.sqlite", "registry", "stats", "--as-of", "2025-13-01")
    assert code == 2 and "--as-of" in err
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 200)
    code, _, err = run(capsys, "--db", bad, "registry", "stats")
    assert code == 1 and "损坏" in err


def test_version_and_module_entry(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("GovInspect ")


def test_core_never_imports_qt():
    code = (
        "import importlib, pkgutil, sys, app.core\n"
        "for m in pkgutil.walk_packages(app.core.__path__, 'app.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import app.cli.main\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
