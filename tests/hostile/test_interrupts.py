"""Interrupting `check` as a user or the system would: Ctrl-C in the middle of a parse ends the
process within 2 s (helpers included); twenty kill -9 at random moments, each followed by
--resume, lose no finding and duplicate none, and leave the database whole."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from contextlib import closing
from urllib.parse import quote

import pytest

from crawl.sites import FixtureSite, Resp, html, make_round

from . import files
from .measure import quick_check, start

KILLS = 20


def _group_gone(pgid: int, within: float = 3.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _db(path, urls: dict[str, str]) -> int:
    from app.core.store import db as store
    with closing(store.connect(path)) as d:
        return make_round(d, urls)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_during_a_parse_ends_the_process_within_2_seconds(tmp_path):
    slow = files.pdf_slow_page(300_000)
    routes = {"/": Resp(body=html('<a href="/f/%E6%85%A2.pdf">慢</a>')),
              "/f/%E6%85%A2.pdf": Resp(body=slow, content_type="application/pdf")}
    with FixtureSite(routes) as site:
        db = tmp_path / "c.sqlite"
        rid = _db(db, {"3699170001": site.url + "/"})
        proc = start(["--db", str(db), "check", str(rid), "--delay", "0"])
        end = time.monotonic() + 60
        while site.gets("/f/%E6%85%A2.pdf") == 0 and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.05)
        assert site.gets("/f/%E6%85%A2.pdf") == 1
        time.sleep(4.0)                                   # the helper is up and deep in pypdf
        assert proc.poll() is None
        asked = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - asked
    print(f"\nCtrl-C during a parse: the process ended {took:.2f} s later")
    assert took < 2.0
    assert proc.returncode == 130 and "检查已取消" in out.decode("utf-8")
    assert "Traceback" not in err.decode("utf-8")
    assert _group_gone(proc.pid)                          # no helper left parsing
    assert quick_check(db) == "ok"


def _site_routes(n: int, seed: int) -> dict:
    """A site of n pages: PII in text, tables and attachments, broken links, slow-ish answers."""
    rnd = random.Random(seed)
    routes = {}
    pages = [f"/p{i}.html" for i in range(n)]
    for i, path in enumerate(pages):
        links = "".join(f'<a href="{p}">第{j}页</a>' for j, p in enumerate(rnd.sample(pages, 4)))
        body = (f"<p>联系电话 139{seed:02d}{i:06d}</p>{links}<a href=\"/gone{i % 7}.html\">旧页</a>"
                f'<a href="/f/{quote(f"名单{i}.xlsx")}">名单</a>' if i % 10 == 0 else
                f"<p>第{i}页 联系电话 139{seed:02d}{i:06d}</p>{links}")
        routes[path] = Resp(body=html(body), delay=0.3)
        if i % 10 == 0:
            routes[f"/f/{quote(f'名单{i}.xlsx')}"] = Resp(
                body=files.xlsx_phone_list(50 + i), delay=0.02,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    routes["/"] = Resp(body=html("".join(f'<a href="{p}">栏目{j}</a>' for j, p in enumerate(pages[:8]))))
    return routes


def _findings(db) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT t.target_key, f.kind, f.url, f.page, f.detail, f.count FROM findings f "
                            "JOIN round_targets t ON t.id = f.target_id ORDER BY 1, 2, 3, 4, 5").fetchall()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_twenty_kill_9_then_resume_lose_and_duplicate_nothing(tmp_path):
    rnd = random.Random(16)
    args = ["--delay", "0", "--concurrency", "4", "--per-host", "2", "--max-pages", "200"]
    with FixtureSite(_site_routes(100, 1)) as a, FixtureSite(_site_routes(100, 2)) as b:
        urls = {"3699180001": a.url + "/", "3699180002": b.url + "/"}
        ref_db, db = tmp_path / "ref.sqlite", tmp_path / "killed.sqlite"
        rid = _db(ref_db, urls)
        assert _db(db, urls) == rid
        started = time.monotonic()
        ref = start(["--db", str(ref_db), "check", str(rid), *args])
        assert ref.wait(240) == 0, ref.stderr.read().decode()
        reference = _findings(ref_db)
        uninterrupted = time.monotonic() - started
        kills = 0
        resume: list[str] = []
        while kills < KILLS:
            proc = start(["--db", str(db), "check", str(rid), *args, *resume])
            time.sleep(rnd.uniform(0.8, 2.0))
            if proc.poll() is not None:                   # it finished before the kill: nothing left to do
                break
            os.kill(proc.pid, signal.SIGKILL)             # the check itself; its helpers must notice
            proc.wait()
            kills += 1
            assert quick_check(db) == "ok"
            assert _group_gone(proc.pid, within=5.0)
            resume = ["--resume"]
        if proc.returncode == -signal.SIGKILL:             # the last one was killed: finish the run
            last = start(["--db", str(db), "check", str(rid), *args, "--resume"])
            assert last.wait(240) == 0, last.stderr.read().decode()
    got = _findings(db)
    print(f"\nkill -9 loop: {kills} kills, {len(reference)} findings in the reference run ({uninterrupted:.0f} s), "
          f"{len(got)} after resuming")
    assert kills == KILLS
    assert len(got) == len(set(got))                      # nothing twice
    assert got == reference                               # nothing lost
    assert quick_check(db) == "ok"
