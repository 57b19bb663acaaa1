"""Benchmark of issues #4 and #11: our `check` against LinkChecker on a generated corpus with known defects.

The corpus (bench/corpus/) is generated from a seed: sites of three CMS families (TRS WCM-like,
大汉 Hanweb-like with datastore lists, 集约化-platform-like), list layouts (ul/li, table, cards,
split-date cards, dl, Hanweb datastore), pagers, date forms with and without years, policy
metadata layouts, footer phrasings, message boards, PII in prose, tables and attachments (csv,
xlsx, docx, PDF tables), every defect next to decoys that look like one. Each site is served on
its own 127.0.0.1 port from a child process, then:

1. runs ``python -m app --db … check`` (all checks on; politeness delay 0 on a local corpus),
2. installs LinkChecker into a throw-away venv (pip, at bench time) and runs it on the same sites,

and prints pages/s, CPU per page and peak RSS of both (medians of alternating runs, with the
machine's load), broken-link recall of both, and for ours recall AND precision of every kind,
matched per defect (per column, number, metadata element, footer mark, message, link, typo).

Run: python bench/crawl.py [--sites 20] [--seed 4] [--no-linkchecker] [--repeat 3] [--keep DIR]
"""
from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from statistics import median
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from app.core.store import db as dbm  # noqa: E402
from app.core.rounds import findings as findings_mod  # noqa: E402
from app.core.registry import registry  # noqa: E402
from app.core.rounds import rounds  # noqa: E402
from app.core.store.db import transaction  # noqa: E402
from app.core.registry.fields import clean_record  # noqa: E402
from corpus import AS_OF, KINDS, UNIT, Site, Truth, build, external_sites  # noqa: E402
from corpus.score import by_category, score  # noqa: E402

LINKCHECKER_HEADERS = {"LinkChecker": "local benchmark"}     # lets LinkChecker exceed 10 requests/s


# ---------------------------------------------------------------- serving (child process)

def _serve(socks: list[socket.socket], tables: list[dict], ready) -> None:
    servers = []
    for sock, table in zip(socks, tables):
        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True      # headers and body must not wait for a delayed ACK
            routes = table

            def log_message(self, *a):
                pass

            def _go(self):
                path = unquote(self.path.split("#")[0])
                status, ctype, body, *more = self.routes.get(path) or self.routes.get(
                    "*", (404, "text/html", b"<html><body>404</body></html>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for k, v in (more[0] if more else {}).items():      # e.g. Location of a redirect
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                for k, v in LINKCHECKER_HEADERS.items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _go

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass                            # clients closing early are not the benchmark's business

        srv = Server(sock.getsockname(), H, bind_and_activate=False)
        srv.socket.close()
        srv.socket = sock
        srv.daemon_threads = True
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def _listen() -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    return s


# ---------------------------------------------------------------- running the tools

@dataclass
class Measure:
    wall: float                      # seconds
    cpu: float                       # user + system seconds of the process
    rss: int                         # peak resident set, MB
    code: int


def run_measured(cmd: list[str], **kw) -> Measure:
    """Wall time, CPU time, peak RSS and exit status of a child process."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measure(time.monotonic() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, proc.returncode)


def homepage_cases(ports: list[int], ext: dict, truth: Truth, n_up: int) -> list[Site]:
    """What can happen to a homepage during the run: one refusing connections (homepage_down), one
    redirecting to another domain (homepage_offsite), and as a decoy one moving within its own site.
    The first is registered at a port nobody listens on; the other two are served on ``ports``."""
    dead = _listen()
    down = Site("3699990001", "首页无法访问的网站", dead.getsockname()[1], "测试单位甲")
    dead.close()
    page = (200, "text/html; charset=utf-8", "<html><head><title>首页</title></head><body><h1>首页</h1>"
            "<p>网站标识码3699990003</p></body></html>".encode("utf-8"))
    moved = Site("3699990002", "首页跳走的网站", ports[0], "测试单位乙",
                 pages={"/": (302, "text/html", b"", {"Location": f"http://localhost:{ext['bad']}/"})})
    same = Site("3699990003", "首页站内跳转的网站", ports[1], "测试单位丙",
                pages={"/": (301, "text/html", b"", {"Location": "/portal/index.html"}), "/portal/index.html": page})
    truth.add("homepage_down", down.code, "site")
    truth.add("homepage_offsite", moved.code, "site")
    truth.decoy("homepage_down", n_up + 2)           # every site that answers
    truth.decoy("homepage_offsite", n_up + 1)        # every site that stays home, one moving within itself
    return [down, moved, same]


def make_db(path: Path, sites: list[Site]) -> int:
    db = dbm.connect(path)
    values = [clean_record("site", {"name": s.name, "site_code": s.code, "url": s.url + "/", "host_unit": s.host_unit,
                                    "region": "东湖区", "category": "县级部门网站", "opened_on": "2015-01-01"}).values
              for s in sites]
    with transaction(db):
        registry.insert_records(db, "site", values, registry.NameCache(db), who="bench")
    rid = rounds.create_round(db, "基准测试", AS_OF.isoformat())
    db.close()
    return rid


def linkchecker_venv(work: Path) -> Path:
    venv = work / "lcvenv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"], check=True)
    return venv / "bin" / "linkchecker"


def run_linkchecker(exe: Path, sites: list[Site], work: Path) -> tuple[Measure, set, set]:
    out_dir = work / "lc"
    out_dir.mkdir(exist_ok=True)
    os.chmod(out_dir, 0o777)                     # LinkChecker drops root privileges to nobody
    cfg = out_dir / "linkcheckerrc"
    cfg.write_text("[checking]\nthreads=10\nmaxrequestspersecond=1000\n[filtering]\ncheckextern=0\n", encoding="utf-8")
    os.chmod(cfg, 0o644)
    out = out_dir / "out.csv"
    if out.exists():
        out.unlink()
    cmd = [str(exe), "-f", str(cfg), "--no-status", "--no-warnings", "-v", "-o", "none",
           "-F", f"csv/utf-8/{out}"] + [s.url + "/" for s in sites]
    env = dict(os.environ, HOME=str(out_dir), XDG_CONFIG_HOME=str(out_dir), XDG_DATA_HOME=str(out_dir))
    err = out_dir / "stderr.txt"
    with open(err, "wb") as fp:
        m = run_measured(cmd, env=env, stdout=subprocess.DEVNULL, stderr=fp)
    if not out.exists():
        raise SystemExit(f"LinkChecker wrote no results (exit {m.code}):\n{err.read_text(errors='replace')[-2000:]}")
    broken, seen = set(), set()
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter=";"):
        url = row.get("url") or row.get("urlname") or ""
        seen.add(url)
        if row.get("valid", "").strip().lower() in ("false", "0"):
            broken.add(url)
    return m, broken, seen


def run_ours(sites: list[Site], work: Path, n: int, concurrency: int, per_host: int) -> tuple[Measure, list[dict], set]:
    db_path = work / f"bench-{n}.sqlite"
    for f in work.glob(f"bench-{n}.sqlite*"):
        f.unlink()
    rid = make_db(db_path, sites)
    found = work / f"findings-{n}.jsonl"
    cmd = [sys.executable, "-m", "app", "--db", str(db_path), "check", str(rid), "--delay", "0",
           "--concurrency", str(concurrency), "--per-host", str(per_host), "--findings-out", str(found)]
    m = run_measured(cmd, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if m.code != 0:
        raise SystemExit(f"our check exited with {m.code}")
    db = dbm.connect(db_path)
    # The evidence text (each leaked number, masked) lives in the database, not in the JSONL lines.
    records = [{"target": f.target_key, "kind": f.kind, "indicator": f.indicator_id, "url": f.url, "page": f.page,
                "detail": f.detail, "evidence": f.evidence_text, "count": f.count}
               for f in findings_mod.list_findings(db, rid)]
    fetched = {r[0] for r in db.conn.execute("SELECT url FROM evidence WHERE kind = 'page' AND http_status = 200")}
    db.close()
    return m, records, fetched


# ---------------------------------------------------------------- report

def print_quality(truth: Truth, records: list[dict], show: int) -> bool:
    """Recall and precision per kind (per defect); True when every kind reaches 0.95 / 0.95."""
    rows = score(truth, records)
    ok = True
    print(f"  {'检查项':<24}{'缺陷':>6}{'报出':>6}{'命中':>6}{'召回率':>8}{'精确率':>8}   诱饵  计数单位")
    for kind in [k for k in KINDS if k in rows] + sorted(k for k in rows if k not in KINDS):
        r = rows[kind]
        low = (r.truth and r.recall < 0.95) or (r.reported and r.precision < 0.95)
        ok = ok and not low
        print(f"  {kind:<24}{r.truth:>6}{r.reported:>6}{r.hits:>6}{r.recall:>8.3f}{r.precision:>8.3f}"
              f"   {truth.decoys.get(kind, 0):>4}  {UNIT.get(kind, '')}{'  ← 低于 0.95' if low else ''}")
        for label, items in (("漏报", r.missed), ("误报", r.wrong)):
            for item in items[:show]:
                print(f"      {label} {item}")
    for label, (hit, total) in by_category(truth, records, "column_stale").items():
        print(f"    column_stale｜{label or '—'}：召回 {hit}/{total}")
    return ok


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"负载（1/5/15 分钟）{one:.1f}/{five:.1f}/{fifteen:.1f}，CPU {os.cpu_count()} 核"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--seed", type=int, default=4, help="corpus seed (default 4; the same seed, the same corpus)")
    ap.add_argument("--no-linkchecker", action="store_true", help="only run our checker")
    ap.add_argument("--linkchecker", help="use this linkchecker executable instead of installing one")
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool, alternating (median reported)")
    ap.add_argument("--show", type=int, default=3, help="missed and wrong defects listed per kind")
    ap.add_argument("--direct", action="store_true",
                    help="only run the checks over the corpus's pages (no HTTP, no timing; link kinds left out)")
    args = ap.parse_args()
    if args.direct:
        from corpus.direct import LINK_KINDS, site_records
        sites, truth = build(args.sites, list(range(20000, 20000 + args.sites)), {"good": 20998, "bad": 20999},
                             seed=args.seed)
        for kind in LINK_KINDS:
            truth.expected.pop(kind, None)
        records = [r for s in sites for r in site_records(s)]
        print(f"语料（种子 {args.seed}）：{args.sites} 个网站，直接检查（不经 HTTP）")
        print_quality(truth, records, args.show)
        return 0

    work = Path(tempfile.mkdtemp(prefix="govinspect-bench-")) if not args.keep else args.keep
    work.mkdir(parents=True, exist_ok=True)
    # LinkChecker started as root drops to user nobody, who must be able to read its venv.
    os.chmod(work, 0o755)
    socks = [_listen() for _ in range(args.sites + 4)]
    ports = [s.getsockname()[1] for s in socks]
    ext = {"good": ports[-2], "bad": ports[-1]}
    sites, truth = build(args.sites, ports[:args.sites], ext, seed=args.seed)
    homes = homepage_cases(ports[args.sites:args.sites + 2], ext, truth, len(sites))
    extra = external_sites()
    tables = [s.pages for s in sites] + [h.pages for h in homes[1:]] + [extra["good"], extra["bad"]]
    socks = socks[:args.sites] + socks[args.sites:args.sites + 2] + socks[-2:]
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    server = ctx.Process(target=_serve, args=(socks, tables, ready), daemon=True)
    server.start()
    for s in socks:
        s.close()
    ready.wait(30)
    n_pages = len(truth.html_pages)
    print(f"语料（种子 {args.seed}）：{args.sites} 个网站，HTML 页面 {n_pages} 个（每站约 {n_pages // args.sites} 个），"
          f"已知缺陷 {sum(len(v) for v in truth.expected.values())} 处，诱饵 {sum(truth.decoys.values())} 处；"
          f"每个工具运行 {args.repeat} 次（交替进行），取中位数")
    print("变体：" + "；".join(f"{k} {len(v)} 种" for k, v in truth.variants.items()))
    print(f"开始时{load_line()}")
    try:
        exe = None
        if not args.no_linkchecker:
            exe = Path(args.linkchecker) if args.linkchecker else linkchecker_venv(work)
        ours, lcs = [], []
        for n in range(args.repeat):
            ours.append(run_ours(sites + homes, work, n, args.concurrency, args.per_host))
            if exe is not None:
                lcs.append(run_linkchecker(exe, sites, work))
        print(f"结束时{load_line()}")
        m, records, fetched = ours[-1]
        # The homepage cases are scored on their own kinds only (their other findings are not planted).
        extra = {h.code for h in homes}
        records = [r for r in records if r["target"] not in extra or r["kind"].startswith("homepage_")
                   and r["kind"] != "homepage_stale"]
        pages = len(truth.html_pages & fetched)
        ours_pps = median(pages / o[0].wall for o in ours)
        ours_cpu = median(o[0].cpu / pages * 1000 for o in ours)
        ours_rss = max(o[0].rss for o in ours)
        print(f"\n我们的 check（全部检查，并发 {args.concurrency}，每主机 {args.per_host}，间隔 0）：页面 {pages} 个，"
              f"{ours_pps:.1f} 页/秒（各次 {', '.join(f'{pages / o[0].wall:.0f}' for o in ours)}），"
              f"CPU {ours_cpu:.2f} 毫秒/页，峰值内存 {ours_rss} MB")
        good = print_quality(truth, records, args.show)
        print(f"  全部检查项召回率与精确率 ≥ 0.95：{'是' if good else '否'}")
        ours_broken = {r["url"] for r in records if r["kind"] == "broken_link"}
        internal = truth.internal_broken
        if lcs:
            lc_m, lc_broken, lc_seen = lcs[-1]
            lc_pages = len(truth.html_pages & lc_seen)
            lc_pps = median(lc_pages / lc[0].wall for lc in lcs)
            lc_cpu = median(lc[0].cpu / lc_pages * 1000 for lc in lcs)
            print(f"\nLinkChecker（10 线程，不限速，只检查链接）：页面 {lc_pages} 个，{lc_pps:.1f} 页/秒"
                  f"（各次 {', '.join(f'{lc_pages / lc[0].wall:.0f}' for lc in lcs)}），CPU {lc_cpu:.2f} 毫秒/页，"
                  f"峰值内存 {max(lc[0].rss for lc in lcs)} MB")
            print(f"  站内断链召回率：我们 {len(internal & ours_broken)}/{len(internal)}，"
                  f"LinkChecker {len(internal & lc_broken)}/{len(internal)}")
            print(f"\n页/秒之比（我们 / LinkChecker）：{ours_pps / lc_pps:.2f}（目标 ≥ 1.5）；"
                  f"每页 CPU 之比 {lc_cpu / ours_cpu:.2f}；我们的峰值内存 {ours_rss} MB（目标 < 300 MB）")
        else:
            print(f"  站内断链召回率：{len(internal & ours_broken)}/{len(internal)}")
    finally:
        server.terminate()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
