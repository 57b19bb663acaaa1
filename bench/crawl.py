"""Benchmark of issue #4: our `check` against LinkChecker on a synthetic corpus with known defects.

Builds N sites × ~160 pages (default 20) with seeded defects of every machine-checkable kind
(broken links, stale and blank columns, homepage not updated, missing footer items, typos and
grave errors, PII in pages and attachments (also behind a download URL without an extension) next
to decoys that must not be flagged, hidden links (also by a rule of the site's stylesheet),
policy documents without metadata, overdue messages, suspicious external links, .doc files
nobody can scan), serves each site on its own 127.0.0.1 port from a child process, then:

1. runs ``python -m app --db … check`` (all checks on; politeness delay 0 on a local corpus),
2. installs LinkChecker into a throw-away venv (pip, at bench time) and runs it on the same sites,

and prints pages/s and peak RSS of both, broken-link recall of both, the recall of every other
kind for ours, and whether any decoy PII was flagged.

Run: python bench/crawl.py [--sites 20] [--no-linkchecker] [--keep DIR]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.store import db as dbm  # noqa: E402
from app.core.registry import registry  # noqa: E402
from app.core.rounds import rounds  # noqa: E402
from app.core.checks import typos as typos_mod  # noqa: E402
from app.core.checks.pii import id_check_digit  # noqa: E402
from app.core.store.db import transaction  # noqa: E402
from app.core.registry.fields import clean_record  # noqa: E402

AS_OF = dt.date(2025, 6, 30)
COLUMNS = [  # dir, name, window (days), list pages, items per page
    ("ywdt", "要闻动态", 14, 4, 15),
    ("bmdt", "部门动态", 14, 2, 12),
    ("tzgg", "通知公告", 183, 2, 15),
    ("zcwj", "政策文件", 183, 2, 10),
]
FILLER = [
    "会议强调，要坚持以人民为中心的发展思想，扎实做好民生保障各项工作，持续优化营商环境。",
    "各部门要进一步提高政治站位，压实工作责任，确保各项任务按时保质完成，切实取得实效。",
    "本次活动共吸引三百余名群众参加，现场发放宣传资料一千余份，受到广泛好评。",
    "下一步，我们将继续加大工作力度，健全长效机制，推动相关工作取得新的更大成效。",
    "会上，与会人员围绕乡村振兴、生态环境保护、基层治理等议题进行了深入交流。",
    "此次检查覆盖全区十二个乡镇街道，共排查各类隐患四十余处，均已督促整改到位。",
    "据统计，今年以来全区新增市场主体两千余户，同比增长百分之八点五。",
]
TYPOS = ["再接再励", "一愁莫展", "迫不急待", "按步就班", "走头无路", "既往不究", "变本加利", "一股作气",
         "一如继往", "再所不惜", "世外桃园", "甘败下风", "言简意骇", "坚苦卓绝", "声名雀起", "随声附合"]
GRAVE = ["中国入民", "社会注义", "毛泽东思相", "邓小平理伦"]
PROVINCES = [11, 31, 32, 33, 36, 44, 51]
LINKCHECKER_HEADERS = {"LinkChecker": "local benchmark"}     # lets LinkChecker exceed 10 requests/s


# ---------------------------------------------------------------- corpus

@dataclass
class Site:
    code: str
    name: str
    port: int
    pages: dict = field(default_factory=dict)          # path -> (status, content type, body bytes)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Truth:
    expected: dict = field(default_factory=lambda: defaultdict(set))   # kind -> {(site code, key)}
    decoy_pages: set = field(default_factory=set)                      # (site code, url)
    internal_broken: set = field(default_factory=set)                  # urls
    html_pages: set = field(default_factory=set)                       # urls of HTML pages (200)


def valid_id(rng: random.Random) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
    first17 = f"{rng.choice(PROVINCES)}{rng.randrange(1000, 9999)}{born:%Y%m%d}{rng.randrange(100, 999)}"
    return first17 + id_check_digit(first17)


def decoys(rng: random.Random) -> list[str]:
    """Number-like text that is not unmasked personal data."""
    good = valid_id(rng)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    return [
        f"申请人身份证号：{good[:6]}********{good[-4:]}",                    # masked ID
        f"联系电话：138****{rng.randrange(1000, 9999)}",                      # masked mobile
        f"编号 {wrong_check}（校验位不符）",                                   # not a valid ID
        f"咨询电话：0791-8{rng.randrange(1000000, 9999999)}",                 # landline
        f"服务热线 400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        f"项目编号：2025061{rng.randrange(100000000000, 999999999999)}",      # long digit run
        f"文件流水号 99{good[2:]}",                                            # unknown province code
        f"订单号 12{rng.randrange(100000000, 999999999)}",                   # 11 digits, not a mobile
    ]


def page_html(title: str, body: str, crumbs: list[tuple[str, str]] | None = None, nav: str = "",
              footer: str = "") -> bytes:
    crumb = ""
    if crumbs:
        crumb = ('<div class="position">当前位置：<a href="/index.html">首页</a>'
                 + "".join(f" &gt; <a href=\"{h}\">{t}</a>" if h else f" &gt; {t}" for t, h in crumbs) + "</div>")
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            '<link rel="stylesheet" href="/css/site.css"></head><body>'
            f'<div class="nav">{nav}</div>{crumb}<div class="main">{body}</div>'
            f'<div class="footer">{footer}</div></body></html>')
    return html.encode("utf-8")


def build(n_sites: int, ports: list[int], ext_ports: dict[str, int], seed: int = 4) -> tuple[list[Site], Truth]:
    rng = random.Random(seed)
    truth = Truth()
    exp = truth.expected
    sites = []
    nav = "".join(f'<a href="/{d}/index.html">{n}</a>' for d, n, *_ in COLUMNS) + \
        '<a href="/zwgk/index.html">政务公开</a><a href="/hdjl/index.html">互动交流</a>'
    for k in range(n_sites):
        code = f"3699{k:06d}"
        site = Site(code, f"测试市第{k + 1}网站", ports[k])
        base = site.url
        P = site.pages

        def add(path, body, status=200, ctype="text/html; charset=utf-8"):
            P[path] = (status, ctype, body)
            if status == 200 and ctype.startswith("text/html"):
                truth.html_pages.add(base + path)

        stale_cols = set()
        if k % 4 == 1:
            stale_cols.add("bmdt")
        if k % 5 == 2:
            stale_cols.add("tzgg")
        home_stale = k in (7, 13)
        if home_stale:
            stale_cols.add("ywdt")
        articles: list[str] = []
        newest_home: list[tuple[str, str, dt.date]] = []
        for d, name, window, n_lists, per in COLUMNS:
            start_age = (window + 20 + rng.randrange(30)) if d in stale_cols else rng.randrange(0, max(1, window // 3))
            items = []
            for i in range(n_lists * per):
                day = AS_OF - dt.timedelta(days=start_age + i * (2 if window <= 14 else 7))
                path = f"/{d}/t{day:%Y%m%d}_{i}.html"
                items.append((path, f"{name}信息第{i + 1}条：关于做好第{i + 1}项重点工作的通知", day))
            if d in stale_cols:
                exp["column_stale"].add((code, f"{base}/{d}/"))
            if d == "ywdt":
                newest_home = items[:8]
            for page_no in range(n_lists):
                chunk = items[page_no * per:(page_no + 1) * per]
                rows = "".join(f'<li><a href="{p}">{t}</a><span>{day.isoformat()}</span></li>' for p, t, day in chunk)
                pager = ""
                if page_no + 1 < n_lists:
                    pager = f'<div class="page"><a href="/{d}/index_{page_no + 1}.html">下一页</a></div>'
                path = f"/{d}/index.html" if page_no == 0 else f"/{d}/index_{page_no}.html"
                add(path, page_html(f"{name}-{site.name}", f"<ul>{rows}</ul>{pager}", [(name, f"/{d}/index.html")], nav))
            for p, t, day in items:
                articles.append(p)
                prose = "".join(rng.choice(FILLER) for _ in range(4))
                if d == "zcwj":
                    meta = (f"<table class='meta'><tr><td>索引号：</td><td>11{k:04d}/2025-{rng.randrange(10000)}</td></tr>"
                            f"<tr><td>发文机关：</td><td>{site.name}</td></tr><tr><td>成文日期：</td><td>{day.isoformat()}</td></tr>"
                            f"<tr><td>发文字号：</td><td>测政发〔2025〕{rng.randrange(1, 99)}号</td></tr>"
                            f"<tr><td>发布日期：</td><td>{day.isoformat()}</td></tr></table>")
                    body = f"{meta}<h1>{t}</h1><p>{prose}</p>"
                else:
                    body = f"<h1>{t}</h1><p>发布时间：{day.isoformat()}</p><p>{prose}</p><p>{rng.choice(FILLER)}</p>"
                P[p] = [t, body, [(name, f"/{d}/index.html"), ("正文", "")]]
        # Defects placed on articles (bodies edited before rendering).
        def article(path, extra="", replace_meta=None):
            t, body, crumbs = P[path]
            if replace_meta:
                body = body.replace(*replace_meta)
            P[path] = [t, body + extra, crumbs]

        plain = [a for a in articles if not a.startswith("/zcwj/")]
        chosen = rng.sample(plain, 16)
        for j, path in enumerate(chosen[:2]):
            word = TYPOS[(2 * k + j) % len(TYPOS)]
            article(path, f"<p>全体干部职工将{word}，确保目标任务圆满完成。</p>")
            exp["typo"].add((code, base + path))
        if k % 5 == 0:
            article(chosen[2], f"<p>坚持以{GRAVE[k % len(GRAVE)]}为中心。</p>")
            exp["grave_error"].add((code, base + chosen[2]))
        for path in chosen[3:5]:
            article(path, f"<p>获奖人员：张某，身份证号{valid_id(rng)}。</p>")
            exp["pii"].add((code, base + path))
        article(chosen[5], f"<p>联系人：李某，手机 13{rng.randrange(3, 10)}{rng.randrange(10000000, 99999999)}。</p>")
        exp["pii"].add((code, base + chosen[5]))
        for path in chosen[6:8]:
            article(path, "".join(f"<p>{x}</p>" for x in decoys(rng)))
            truth.decoy_pages.add((code, base + path))
        broken = []
        for j, path in enumerate(chosen[8:11]):
            target = f"/files/removed_{j}.html"
            article(path, f'<p>相关链接：<a href="{target}">原文链接{j}</a></p>')
            broken.append(target)
        if k % 3 == 1:
            article(chosen[11], '<p><a href="/cgi/error.jsp">办事查询</a></p>')
            add("/cgi/error.jsp", b"<html><body>Internal Server Error</body></html>", status=500)
            broken.append("/cgi/error.jsp")
        for target in broken:
            P.setdefault(target, (404, "text/html", b"<html><body>404</body></html>"))
            if target != "/cgi/error.jsp":
                P[target] = (404, "text/html", b"<html><body>404</body></html>")
            exp["broken_link"].add((code, base + target))
            truth.internal_broken.add(base + target)
        if k % 4 == 3:
            article(chosen[12], '<div style="display:none"><a href="http://www.pj-casino.invalid/">澳门葡京娱乐</a></div>')
            exp["dark_link"].add((code, base + chosen[12]))
        # Hidden by a rule of the site's stylesheet, which only a fetched stylesheet reveals.
        css = "body{margin:0}.nav a{padding:0 8px}"
        if k % 4 == 1:
            css += ".yqlj-box{position:absolute;left:-9999px}"
            article(chosen[14], '<div class="yqlj-box"><a href="http://www.hg-bet.invalid/">皇冠体育投注</a></div>')
            exp["dark_link"].add((code, base + chosen[14]))
        P["/css/site.css"] = (200, "text/css", css.encode("utf-8"))
        # A download URL without an extension that answers with a file holding personal data.
        if k % 4 == 2:
            article(chosen[15], '<p><a href="/download.jsp?id=7">获奖人员名单</a></p>')
            P["/download.jsp?id=7"] = (200, "text/csv; charset=utf-8",
                                       f"姓名,身份证号\n赵某,{valid_id(rng)}\n".encode("utf-8"))
            exp["pii"].add((code, base + "/download.jsp?id=7"))
        # Policy documents missing metadata.
        if k % 2 == 0:
            for path in [a for a in articles if a.startswith("/zcwj/")][3:5]:
                t, body, crumbs = P[path]
                cut = body.split("<tr><td>发文字号：</td>")[0] + "</table>" + body.split("</table>", 1)[1]
                P[path] = [t, cut, crumbs]
                exp["policy_metadata_missing"].add((code, base + path))
        # Attachments: PII in a .txt and a .csv, a clean .pdf-like file, an old .doc nobody can read.
        attach = chosen[13]
        links = '<a href="/files/名单.txt">公示名单</a> <a href="/files/data.csv">统计表</a> <a href="/files/old.doc">旧附件</a>'
        article(attach, f"<p>附件：{links}</p>")
        P["/files/名单.txt"] = (200, "text/plain; charset=utf-8",
                               f"序号 姓名 身份证号\n1 王某 {valid_id(rng)}\n".encode("utf-8"))
        P["/files/data.csv"] = (200, "text/csv", "区域,数量\n东区,12\n西区,8\n".encode("gbk"))
        P["/files/old.doc"] = (200, "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
        exp["pii"].add((code, base + quote("/files/名单.txt")))
        exp["pii_unscanned"].add((code, base + "/files/old.doc"))
        # Blank column, message board.
        if k % 3 == 0:
            add("/zwgk/index.html", page_html(f"政务公开-{site.name}", "<p>暂无信息</p>", [("政务公开", "/zwgk/index.html")], nav))
            exp["column_blank"].add((code, f"{base}/zwgk/"))
        else:
            rows = "".join(f'<li><a href="/zwgk/t{i}.html">政务公开目录第{i}项：机构职能与领导信息</a><span>'
                           f'{(AS_OF - dt.timedelta(days=3 + 20 * i)).isoformat()}</span></li>' for i in range(6))
            add("/zwgk/index.html", page_html(f"政务公开-{site.name}", f"<ul>{rows}</ul>", [("政务公开", "/zwgk/index.html")], nav))
            for i in range(6):
                add(f"/zwgk/t{i}.html", page_html(f"政务公开目录第{i}项", f"<h1>政务公开目录第{i}项</h1><p>{''.join(FILLER)}</p>",
                                                  [("政务公开", "/zwgk/index.html"), ("正文", "")], nav))
        msgs = []
        for i in range(8):
            asked = AS_OF - dt.timedelta(days=10 + 15 * i)
            answered = asked + dt.timedelta(days=5)
            msgs.append((f"/hdjl/m{i}.html", f"关于小区道路维修的咨询{i}", asked, answered, "已回复"))
        if k % 5 == 4:
            asked = AS_OF - dt.timedelta(days=120)
            msgs.append(("/hdjl/m99.html", "关于社保缴费问题的咨询", asked, None, "未回复"))
            exp["message_unanswered"].add((code, base + "/hdjl/m99.html"))
        rows = "".join(f'<tr><td><a href="{p}">{t}</a></td><td>{a.isoformat()}</td>'
                       f'<td>{b.isoformat() if b else ""}</td><td>{s}</td></tr>' for p, t, a, b, s in msgs)
        add("/hdjl/index.html", page_html(f"领导信箱-{site.name}",
                                          f"<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>状态</th></tr>{rows}</table>",
                                          [("互动交流", "/hdjl/index.html"), ("领导信箱", "")], nav))
        for p, t, a, b, s in msgs:
            answer = f"<p>答复时间：{b.isoformat()}</p><p>{FILLER[0]}</p>" if b else "<p>状态：未回复</p>"
            add(p, page_html(t, f"<h1>{t}</h1><p>留言时间：{a.isoformat()}</p><p>{FILLER[1]}{FILLER[2]}</p>{answer}",
                             [("互动交流", "/hdjl/index.html"), ("正文", "")], nav))
        # Homepage with footer marks (some missing) and external links.
        news = "".join(f'<li><a href="{p}">{t}</a><span>{day.isoformat()}</span></li>' for p, t, day in newest_home)
        externals = f'<a href="http://127.0.0.1:{ext_ports["good"]}/">中国政府网</a>'
        if k % 6 == 5:
            externals += f' <a href="http://127.0.0.1:{ext_ports["bad"]}/">友情链接</a>'
            exp["external_link_suspect"].add((code, f"http://127.0.0.1:{ext_ports['bad']}/"))
        if k % 7 == 6:
            dead = f"http://www{k}.expired-partner.invalid/"
            externals += f' <a href="{dead}">合作单位</a>'
            exp["external_link_suspect"].add((code, dead))
            exp["broken_link"].add((code, dead))
        parts = [f"主办单位：{'测试单位' + str(k + 1)}", "赣ICP备12345678号", "赣公网安备36010202000123号"]
        if k % 5 != 1:
            parts.append(f"网站标识码：{code}")
        else:
            exp["footer_missing"].add((code, "网站标识码"))
        # The national marks point at the local "external" server: the benchmark never leaves 127.0.0.1.
        gov = f"http://127.0.0.1:{ext_ports['good']}"
        marks = f'<a href="{gov}/conac/dzjg.html"><img src="/img/dzjg.png" alt="党政机关"></a>'
        if k % 5 != 3:
            marks += f' <a href="{gov}/exposure/jiucuo.html">我为政府网站找错</a>'
        else:
            exp["footer_missing"].add((code, "找错"))
        footer = " | ".join(parts) + " " + marks
        home_news = news
        if home_stale:
            exp["homepage_stale"].add((code, "home"))
        add("/index.html", page_html(site.name, f"<h2>要闻动态</h2><ul>{home_news}</ul><div class='links'>{externals}</div>",
                                     None, nav, footer))
        add("/", P["/index.html"][2])
        add("/img/dzjg.png", b"\x89PNG\r\n", ctype="image/png")
        exp["https_problem"].add((code, "site"))
        exp["ipv6_missing"].add((code, "site"))
        # Render the articles.
        for path, v in list(P.items()):
            if isinstance(v, list):
                t, body, crumbs = v
                add(path, page_html(t, body, crumbs, nav))
        sites.append(site)
    # Sanity: the filler itself must be free of dictionary hits.
    d = typos_mod.load_dictionary()
    assert not d.scan("".join(FILLER)), "filler text contains dictionary words"
    return sites, truth


def external_sites() -> dict[str, dict]:
    bad = page_html("澳门葡京娱乐城-真人视讯-体育投注", "<h1>澳门葡京</h1><p>百家乐 老虎机 真人视讯 体育投注 博彩</p>")
    good = page_html("中国政府网", "<h1>中国政府网</h1><p>国务院信息公开</p>")
    return {"bad": {"/": (200, "text/html; charset=utf-8", bad)},
            "good": {p: (200, "text/html; charset=utf-8", good) for p in ("/", "/conac/dzjg.html", "/exposure/jiucuo.html")}}


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
                status, ctype, body = self.routes.get(path, (404, "text/html", b"<html><body>404</body></html>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
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


def make_db(path: Path, sites: list[Site]) -> int:
    db = dbm.connect(path)
    values = [clean_record("site", {"name": s.name, "site_code": s.code, "url": s.url + "/", "host_unit": f"测试单位{i + 1}",
                                    "region": "东湖区", "category": "县级部门网站", "opened_on": "2015-01-01"}).values
              for i, s in enumerate(sites)]
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
    records = [json.loads(x) for x in found.read_text(encoding="utf-8").splitlines()]
    db = dbm.connect(db_path)
    fetched = {r[0] for r in db.conn.execute("SELECT url FROM evidence WHERE kind = 'page' AND http_status = 200")}
    db.close()
    return m, records, fetched


# ---------------------------------------------------------------- scoring

def matches(kind: str, key, rec: dict) -> bool:
    if kind in ("homepage_stale", "https_problem", "ipv6_missing"):
        return True
    if kind == "footer_missing":
        return key in rec["detail"]
    if kind in ("column_stale", "column_blank"):
        return rec["url"].startswith(key)
    return key in (rec["url"], rec["page"])


def recall(truth: Truth, records: list[dict]) -> dict[str, tuple[int, int]]:
    by = defaultdict(list)
    for r in records:
        by[(r["kind"], r["target"])].append(r)
    out = {}
    for kind, items in sorted(truth.expected.items()):
        hit = sum(1 for code, key in items if any(matches(kind, key, r) for r in by[(kind, code)]))
        out[kind] = (hit, len(items))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--no-linkchecker", action="store_true", help="only run our checker")
    ap.add_argument("--linkchecker", help="use this linkchecker executable instead of installing one")
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool, alternating (median reported)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="govinspect-bench-")) if not args.keep else args.keep
    work.mkdir(parents=True, exist_ok=True)
    # LinkChecker started as root drops to user nobody, who must be able to read its venv.
    os.chmod(work, 0o755)
    socks = [_listen() for _ in range(args.sites + 2)]
    ports = [s.getsockname()[1] for s in socks]
    ext = {"good": ports[-2], "bad": ports[-1]}
    sites, truth = build(args.sites, ports[:args.sites], ext)
    extra = external_sites()
    tables = [s.pages for s in sites] + [extra["good"], extra["bad"]]
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    server = ctx.Process(target=_serve, args=(socks, tables, ready), daemon=True)
    server.start()
    for s in socks:
        s.close()
    ready.wait(30)
    n_pages = len(truth.html_pages)
    print(f"语料：{args.sites} 个网站，HTML 页面 {n_pages} 个（每站约 {n_pages // args.sites} 个），"
          f"已知缺陷 {sum(len(v) for v in truth.expected.values())} 处，诱饵页面 {len(truth.decoy_pages)} 个；"
          f"每个工具运行 {args.repeat} 次（交替进行），取中位数")
    try:
        exe = None
        if not args.no_linkchecker:
            exe = Path(args.linkchecker) if args.linkchecker else linkchecker_venv(work)
        ours, lcs = [], []
        for n in range(args.repeat):
            ours.append(run_ours(sites, work, n, args.concurrency, args.per_host))
            if exe is not None:
                lcs.append(run_linkchecker(exe, sites, work))
        m, records, fetched = ours[-1]
        pages = len(truth.html_pages & fetched)
        ours_pps = median(pages / o[0].wall for o in ours)
        ours_cpu = median(o[0].cpu / pages * 1000 for o in ours)
        ours_rss = max(o[0].rss for o in ours)
        print(f"\n我们的 check（全部检查，并发 {args.concurrency}，每主机 {args.per_host}，间隔 0）：页面 {pages} 个，"
              f"{ours_pps:.1f} 页/秒（各次 {', '.join(f'{pages / o[0].wall:.0f}' for o in ours)}），"
              f"CPU {ours_cpu:.2f} 毫秒/页，峰值内存 {ours_rss} MB")
        rec = recall(truth, records)
        for kind, (hit, total) in rec.items():
            mark = "" if total == 0 or hit / total >= 0.95 else "  ← 低于 0.95"
            print(f"  召回率 {kind:<24} {hit:>4}/{total:<4} = {hit / total if total else 1:.3f}{mark}")
        flagged = [r for r in records if r["kind"] == "pii" and ((r["target"], r["page"]) in truth.decoy_pages
                                                                 or (r["target"], r["url"]) in truth.decoy_pages)]
        print(f"  诱饵个人信息被误报：{len(flagged)} 处" + ("（无）" if not flagged else ""))
        for r in flagged[:5]:
            print(f"    {r['page']} {r['detail']}")
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
