"""Run a program as an outsider would and measure it: wall time, peak memory of the process and
the helpers it waited for (wait4's ru_maxrss), output; and fingerprints of a database."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    code: int | None                 # exit status (negative: killed by that signal)
    out: str
    err: str
    seconds: float
    peak_mb: float | None            # max RSS of the process tree it waited for (None off POSIX)

    @property
    def text(self) -> str:
        return self.out + self.err


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def start(args: list[str], python: bool = False) -> subprocess.Popen:
    """``python -m app ARGS`` (or ``python ARGS`` with python=True) in its own process group."""
    cmd = [sys.executable, *args] if python else [sys.executable, "-m", "app", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT,
                            start_new_session=True)


def _wait(proc: subprocess.Popen, timeout: float) -> tuple[bytes, bytes]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)             # the program and its helpers
        return proc.communicate()


# A small parent runs the program and reports its wait4 figure: the test process's own
# RUSAGE_CHILDREN would keep the largest child of the whole session.
_PARENT = """
import json, os, subprocess, sys
p = subprocess.Popen(json.loads(sys.argv[1]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
o, e = p.communicate()
import resource
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.buffer.write(o); sys.stderr.buffer.write(e)
sys.stderr.write("\\n@@peak_kb=%d rc=%d\\n" % (peak, p.returncode))
"""


def run(args: list[str], timeout: float = 120, python: bool = False) -> Outcome:
    """Run ``python -m app ARGS`` (or ``python ARGS``) to the end; time, peak memory (the program
    and every helper process it waited for), output. Past ``timeout`` the whole group is killed."""
    import json
    cmd = [sys.executable, *args] if python else [sys.executable, "-m", "app", *args]
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _PARENT, json.dumps(cmd)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(), cwd=ROOT, start_new_session=True)
    out, err = _wait(proc, timeout)
    seconds = time.monotonic() - started
    out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    err, _, tail = err.rpartition("\n@@peak_kb=")
    if not tail:
        return Outcome(proc.returncode, out, err, seconds, None)
    kb, _, rc = tail.strip().partition(" rc=")
    return Outcome(int(rc), out, err, seconds, int(kb) / 1024)


# ---------------------------------------------------------------- databases

def table_counts(path: Path) -> dict[str, int]:
    """Rows of every table (read-only: opening must not change the file)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def quick_check(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
