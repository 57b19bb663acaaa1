"""Benchmark of issue #13: the availability monitor at the scale of a province's registry.

1. Serves N local sites (default 700) from one child process: an asyncio server listening on one
   127.0.0.1 port per site, each homepage ~60 KB; seeded so that some answer slowly (1–8 s), some
   refuse (closed ports), some answer 500 and a few never answer (past the 15 s timeout).
2. Runs one monitor cycle (`Monitor.run(once=True)`, the code `monitor --once` runs) in a fresh
   child process per measurement, alternating concurrency 16 and 32, and prints the median wall
   time and peak RSS of each.
3. Fills a database with a week of probes for N sites every 30 minutes (700 × 48 × 7 = 235,200)
   and times the verdict of a round over it (`round_verdicts`, the SQL counts plus the deciders),
   recording its findings, and the monitor page's table reload (`site_states`).

Run: python bench/monitor_scale.py [--sites 700] [--runs 3] [--timeout 15] [--keep DIR]
Timing varies ±25 % on a shared machine: alternate runs and read the medians.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.store import db as dbm  # noqa: E402
from app.core.registry import registry  # noqa: E402
from app.core.registry.fields import clean_record  # noqa: E402
from app.core.store.db import transaction  # noqa: E402

BODY = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>某某市人民政府</title></head><body>"
        + "<p>政务公开 政务服务 互动交流 要闻动态 通知公告 政策文件</p>" * 900 + "</body></html>").encode("utf-8")


# ---------------------------------------------------------------- the sites (child process)

def plan_sites(n: int, seed: int = 13) -> list[dict]:
    """Kind per site: ok, slow (delay), refused, error (500), hang."""
    rng = random.Random(seed)
    kinds = []
    for i in range(n):
        r = rng.random()
        if r < 0.05:
            kinds.append({"kind": "slow", "delay": round(rng.uniform(1.0, 8.0), 2)})
        elif r < 0.08:
            kinds.append({"kind": "refused"})
        elif r < 0.09:
            kinds.append({"kind": "error"})
        elif r < 0.095:
            kinds.append({"kind": "hang"})
        else:
            kinds.append({"kind": "ok"})
    return kinds


async def _serve(plan: list[dict]) -> None:
    async def handler(reader, writer, spec):
        try:
            await reader.readuntil(b"\r\n\r\n")
            if spec["kind"] == "hang":
                await asyncio.sleep(3600)
            if spec["kind"] == "slow":
                await asyncio.sleep(spec["delay"])
            status, body = ("500 Internal Server Error", b"error") if spec["kind"] == "error" else ("200 OK", BODY)
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    ports, servers = [], []
    for spec in plan:
        if spec["kind"] == "refused":
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
            s.close()                                    # nobody listens: connection refused
            continue
        server = await asyncio.start_server(lambda r, w, spec=spec: handler(r, w, spec), "127.0.0.1", 0, backlog=64)
        servers.append(server)
        ports.append(server.sockets[0].getsockname()[1])
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


def serve_main(n: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(_serve(plan_sites(n)))


# ---------------------------------------------------------------- one cycle (child process)

def cycle_main(db_path: str, concurrency: int, timeout: float) -> None:
    from app.core.crawl.monitor import Monitor, MonitorOptions
    t0 = time.perf_counter()
    s = Monitor(db_path, MonitorOptions(concurrency=concurrency, timeout=timeout)).run(once=True)
    wall = time.perf_counter() - t0
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall": wall, "rss_mb": use.ru_maxrss / 1024, "cpu": use.ru_utime + use.ru_stime,
                      "probed": s.last.probed, "failed": s.last.failed, "by_kind": s.last.by_kind}))


# ---------------------------------------------------------------- parent

def make_registry(db, urls: list[str]) -> list[int]:
    values = [clean_record("site", {"name": f"测试网站{i}", "site_code": f"3699{i:06d}", "url": url,
                                    "host_unit": f"单位{i}", "region": f"地区{i % 10}", "category": "县级部门网站",
                                    "opened_on": "2015-01-01"}).values for i, url in enumerate(urls, start=1)]
    with transaction(db):
        return registry.insert_records(db, "site", values, registry.NameCache(db), who="bench")


def bench_cycles(work: Path, n: int, runs: int, timeout: float) -> None:
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(n)], stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(server.stdout.readline())
        db_path = work / "cycles.sqlite"
        db = dbm.connect(db_path)
        make_registry(db, [f"http://127.0.0.1:{p}/" for p in ports])
        db.close()
        kinds = [s["kind"] for s in plan_sites(n)]
        print(f"{n} sites: {kinds.count('ok')} fine, {kinds.count('slow')} slow (1–8 s), {kinds.count('refused')} "
              f"refusing, {kinds.count('error')} answering 500, {kinds.count('hang')} never answering; "
              f"homepage {len(BODY) // 1024} KB; timeout {timeout:g} s")
        got: dict[int, list[dict]] = {16: [], 32: []}
        for r in range(runs):
            for conc in ((16, 32) if r % 2 == 0 else (32, 16)):
                out = subprocess.run([sys.executable, __file__, "--cycle", str(db_path), str(conc), str(timeout)],
                                     capture_output=True, text=True, check=True)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                got[conc].append(res)
                print(f"  run {r + 1} concurrency {conc}: {res['wall']:.1f} s (CPU {res['cpu']:.1f} s), "
                      f"peak RSS {res['rss_mb']:.0f} MB, "
                      f"{res['probed']} probes, {res['failed']} failed {res['by_kind']}", flush=True)
        for conc, rs in got.items():
            print(f"cycle wall time at concurrency {conc}: median {median(r['wall'] for r in rs):.1f} s "
                  f"(runs: {', '.join(format(r['wall'], '.1f') for r in rs)}); "
                  f"peak RSS median {median(r['rss_mb'] for r in rs):.0f} MB")
    finally:
        server.kill()
        server.wait()


def bench_verdict(work: Path, n: int) -> None:
    from app.core.crawl import probe_store
    from app.core.crawl.probe_verdicts import record_verdicts, round_verdicts
    from app.core.rounds import rounds
    db_path = work / "week.sqlite"
    db = dbm.connect(db_path)
    ids = make_registry(db, [f"http://s{i}.example/" for i in range(1, n + 1)])
    as_of = dt.date(2025, 6, 30)
    rid = rounds.create_round(db, "监测周", as_of.isoformat(), period_from="2025-06-01", period_to=as_of.isoformat())
    rng = random.Random(7)
    t0 = time.perf_counter()
    total = 0
    for sid in ids:
        bad = 0.08 if rng.random() < 0.03 else 0.01            # a few failing sites
        # A laptop asleep one night leaves a day short; the same site's log from another source
        # adds as many probes on another day, so every site holds 48 × 7 probes.
        gap = rng.random() < 0.02
        rows = []
        for d in range(7):
            day = dt.datetime.combine(as_of - dt.timedelta(days=6 - d), dt.time())
            for i in range(48):
                moved = dt.timedelta(days=2, minutes=15) if gap and d == 3 and i < 36 else dt.timedelta(0)
                at = day + moved + dt.timedelta(minutes=30 * i, seconds=rng.randrange(60))
                fail = rng.random() < bad
                secs = None if fail else round(rng.lognormvariate(0, 0.6), 3)
                rows.append((sid, "http://x.example/", at.isoformat(sep=" "), secs, int(not fail),
                             None if fail else 200, "连接被拒绝" if fail else "", "refused" if fail else "", "monitor"))
        probe_store.insert_probes(db, rows)
        total += len(rows)
    fill = time.perf_counter() - t0
    db.close()
    print(f"week of probes: {total:,} rows for {n} sites written in {fill:.1f} s; "
          f"file {db_path.stat().st_size / 1e6:.0f} MB")
    db = dbm.connect(db_path)
    times, result = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        result = round_verdicts(db, rid)
        times.append(time.perf_counter() - t0)
    counts = {v: result.count(v) for v in ("否决", "正常", "样本不足", "无记录")}
    print(f"verdict of the round ({n} sites): median {median(times):.3f} s (runs: "
          f"{', '.join(f'{t:.3f}' for t in times)}); {counts}; "
          f"{sum(len(s.findings) for s in result.sites)} findings")
    t0 = time.perf_counter()
    added = record_verdicts(db, result, who="bench")
    t1 = time.perf_counter()
    again = record_verdicts(db, round_verdicts(db, rid), who="bench")
    t2 = time.perf_counter()
    print(f"recording findings: {len(added.added)} added in {t1 - t0:.3f} s; verdict + record again: "
          f"{len(again.added)} added, {len(again.existing)} already there, {t2 - t1:.3f} s")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        probe_store.site_states(db, as_of - dt.timedelta(days=6), as_of, 15.0)
        times.append(time.perf_counter() - t0)
    print(f"monitor page table reload (site_states, {n} rows): median {median(times):.3f} s")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=700)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("--keep", type=Path, help="keep the databases in this folder")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--cycle", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve_main(args.serve)
        return
    if args.cycle:
        cycle_main(args.cycle[0], int(args.cycle[1]), float(args.cycle[2]))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        bench_cycles(work, args.sites, args.runs, args.timeout)
        bench_verdict(work, args.sites)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
