"""OCR inside a check run: generated sites whose article pages show 公示名单 scans as pictures and
link scanned PDFs (bench/ocr_corpus.py: rosters and decoy tables at three resolutions, noise,
rotation), crawled once with OCR and once without.

Prints, for each run: seconds, when the last HTML page was fetched (OCR must not hold the crawl
back), OCR files and seconds, peak RSS of the check and of the OCR helper; and for the OCR run the
recall per number type (each number matched by its masked form in the finding's evidence) and
the decoy files flagged. Needs the ``ocr`` extra and a CJK font (fonts-noto-cjk on Debian).
Run: python bench/ocr_run.py [--files 45] [--sites 3] [--pages 20]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from app.core.checks import ocr  # noqa: E402
from app.core.checks.pii import mask  # noqa: E402
from app.core.crawl import jobs  # noqa: E402
from app.core.registry import registry  # noqa: E402
from app.core.registry.fields import clean_record  # noqa: E402
from app.core.rounds import findings, rounds  # noqa: E402
from app.core.store.db import connect, transaction  # noqa: E402
from ocr_corpus import find_cjk_font, iter_corpus  # noqa: E402

class Site:
    """One site on 127.0.0.1: a homepage, a list, text pages and articles showing the scans."""

    def __init__(self, samples: list, pages: int):
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.html_times: list[float] = []
        self.samples = {}
        items = []
        for i, s in enumerate(samples):
            path = f"/up/{s.name}"
            self.routes[path] = (s.data, "application/pdf" if s.fmt == "pdf" else f"image/{s.fmt}")
            self.samples[path] = s
            show = (f'<a href="{path}">附件：名单（扫描件）</a>' if s.fmt == "pdf"
                    else f'<img src="{path}" alt="名单">')
            self._page(f"/gs/a{i}.html", f"<h1>公示{i}</h1><p>2025-11-0{1 + i % 9}</p><p>现将名单公示如下：</p>{show}")
            items.append(f'<li><a href="/gs/a{i}.html">公示{i}</a><span>2025-11-0{1 + i % 9}</span></li>')
        for i in range(pages):
            self._page(f"/xw/n{i}.html", f"<h1>新闻{i}</h1><p>2025-11-10</p>" + "<p>工作动态。</p>" * 20)
            items.append(f'<li><a href="/xw/n{i}.html">新闻{i}</a><span>2025-11-10</span></li>')
        self._page("/", '<a href="/list.html">公示公告</a>' + "".join(items[:5]))
        self._page("/list.html", "<ul>" + "".join(items) + "</ul>")
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, body: bool):
                path = self.path.split("?")[0]
                data, ctype = site.routes.get(path, (b"not found", "text/plain"))
                if ctype.startswith("text/html"):
                    site.html_times.append(time.monotonic())
                self.send_response(200 if path in site.routes else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def do_GET(self):
                self._serve(True)

            def do_HEAD(self):
                self._serve(False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _page(self, path: str, body: str) -> None:
        html = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>'
        self.routes[path] = (html.encode("utf-8"), "text/html; charset=utf-8")


def make_round(db_path: Path, sites: list[Site]) -> int:
    db = connect(db_path)
    values = [clean_record("site", {"name": f"测试网站{n}", "site_code": f"36990{n:05d}", "url": s.url,
                                    "host_unit": f"测试单位{n}", "region": "东湖区", "category": "县级部门网站"}).values
              for n, s in enumerate(sites, 1)]
    with transaction(db):
        registry.insert_records(db, "site", values, registry.NameCache(db), who="bench")
    rid = rounds.create_round(db, "OCR bench", "2025-11-30", period_from="2025-11-01", period_to="2025-11-30")
    db.close()
    return rid


def run(sites: list[Site], use_ocr: bool) -> dict:
    for s in sites:
        s.html_times.clear()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite"
        rid = make_round(db_path, sites)
        start = time.monotonic()
        summary = jobs.run_checks(db_path, rid, options=jobs.CheckOptions(delay=0.0, ocr=use_ocr, ocr_images=100))
        seconds = time.monotonic() - start
        db = connect(db_path)
        found = [f for f in findings.list_findings(db, rid) if f.kind in ("pii", "pii_unscanned")]
        db.close()
    last_html = max(t for s in sites for t in s.html_times) - start
    return {"summary": summary, "seconds": seconds, "last_html": last_html, "found": found}


def score(sites: list[Site], found: list) -> None:
    by_url: dict[str, list] = {}
    for f in found:
        by_url.setdefault(f.url.split("/", 3)[-1], []).append(f)
    total, hit = Counter(), Counter()
    decoy_files = decoys_flagged = unread = 0
    for s in sites:
        for path, sample in s.samples.items():
            fs = by_url.get(path.lstrip("/"), [])
            text = "\n".join(f.evidence_text + "\n" + f.detail for f in fs if f.kind == "pii")
            unread += any(f.kind == "pii_unscanned" for f in fs)
            if not sample.pii:
                decoy_files += 1
                decoys_flagged += any(f.kind == "pii" for f in fs)
            for kind, digits in sample.pii:
                total[kind] += 1
                hit[kind] += mask(kind, digits) in text
    print("  recall per number type (masked form found in the finding's evidence): "
          + ", ".join(f"{k} {hit[k]}/{total[k]} = {hit[k] / total[k]:.3f}" for k in sorted(total)))
    print(f"  decoy files flagged: {decoys_flagged}/{decoy_files}; files left 未扫描: {unread}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=45, help="scans in all (images and PDFs)")
    ap.add_argument("--sites", type=int, default=3)
    ap.add_argument("--pages", type=int, default=20, help="text pages per site besides the articles")
    args = ap.parse_args()
    if not ocr.available() or not find_cjk_font():
        print("needs the ocr extra and a CJK font (fonts-noto-cjk)")
        return 2
    samples = list(iter_corpus(args.files, seed=21))
    per = -(-len(samples) // args.sites)
    sites = [Site(samples[i * per:(i + 1) * per], args.pages) for i in range(args.sites)]
    print(f"{len(samples)} scans ({Counter(s.fmt for s in samples)}) on {args.sites} sites, "
          f"{args.pages} text pages each; load {open('/proc/loadavg').read().split()[0]}")
    for use_ocr in (False, True):
        r = run(sites, use_ocr)
        s = r["summary"]
        print(f"OCR {'on ' if use_ocr else 'off'}: {r['seconds']:.1f} s, {s.pages} pages, last HTML page fetched "
              f"at {r['last_html']:.1f} s, findings pii {sum(f.kind == 'pii' for f in r['found'])}, "
              f"pii_unscanned {sum(f.kind == 'pii_unscanned' for f in r['found'])}")
        if use_ocr:
            o = s.ocr
            print(f"  OCR: {o['files']} files, {o['images']} images, {o['seconds']:.1f} s of recognition "
                  f"({o['seconds'] / max(1, o['images']):.2f} s per image), stopped {o['stopped']}, "
                  f"skipped {o['skipped']}; helper peak RSS {max(o['helper_peak_mb'] or [0]):.0f} MB")
            score(sites, r["found"])
    print(f"peak RSS of the check process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
