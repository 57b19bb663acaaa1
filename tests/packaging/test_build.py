"""The PyInstaller onedir build runs and answers --version (slow: a real build)."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller not installed")
def test_onedir_build_runs_version(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_app.py"),
                           "--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=880)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = Path(proc.stdout.strip().splitlines()[-1])
    exe = folder / ("govinspect-cli.exe" if os.name == "nt" else "govinspect-cli")
    assert exe.exists()
    assert (folder / "_internal" / "resources").is_dir()
    if importlib.util.find_spec("rapidocr") is not None:       # the ocr extra ships its models
        models = folder / "_internal" / "rapidocr" / "models"
        assert {"PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx"} <= {p.name for p in models.iterdir()}
    run = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"GovInspect {app.__version__}"
    db = tmp_path / "built.sqlite"
    run = subprocess.run([str(exe), "--db", str(db), "demo"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "网站 60 个" in run.stdout
