"""OCR beside a check run: images on pages and scanned PDFs read in their own helper, findings
with regions instead of 未扫描, the per-site cap, damaged images, cancel and resume, the CLI switch."""
from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.checks import ocr
from app.core.crawl import jobs
from app.core.rounds import findings

from .sites import FixtureSite, Resp, html, make_round, wait_until

ROSTER = Path(__file__).resolve().parents[2] / "fixtures" / "ocr" / "roster.png"
QUICK = dict(delay=0.0, connect_timeout=1.0, read_timeout=5.0, deadline=10.0, probe_threshold=10.0)
needs_engine = pytest.mark.skipif(not ocr.available(), reason="OCR engine not installed (pip install -e .[ocr])")


def opts(**over) -> jobs.CheckOptions:
    return jobs.CheckOptions(**{**QUICK, "ocr": True, **over})


def roster(fmt: str) -> bytes:
    from PIL import Image
    img = Image.open(ROSTER).convert("RGB")
    buf = io.BytesIO()
    if fmt == "pdf":
        img.save(buf, "PDF", resolution=150)          # one image per page, no text layer: a scan
    else:
        img.save(buf, "JPEG" if fmt == "jpg" else fmt.upper(), quality=80)
    return buf.getvalue()


def tiny_png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buf, "PNG")
    return buf.getvalue()


def gallery_site(images: int = 1) -> dict:
    """A homepage, an article with a roster pasted as a picture, a linked scan, an icon and a
    damaged picture; ``images`` more photos-of-text on a gallery page."""
    article = ('<p>公示如下：</p><img src="/upload/roster.png" alt="名单">'
               '<p><a href="/upload/mingdan.pdf">附件：名单（扫描件）</a></p>'
               '<img src="/img/icon.png"><img src="/img/broken.jpg">')
    routes = {
        "/": Resp(body=html('<a href="/gsgg/a1.html">救助名单公示</a><a href="/tp/index.html">图片</a>', "首页")),
        "/gsgg/a1.html": Resp(body=html(article, "救助名单公示")),
        "/tp/index.html": Resp(body=html("".join(f'<img src="/tp/p{i}.jpg">' for i in range(images)), "图片")),
        "/upload/roster.png": Resp(body=roster("png"), content_type="image/png"),
        "/upload/mingdan.pdf": Resp(body=roster("pdf"), content_type="application/pdf"),
        "/img/icon.png": Resp(body=tiny_png(), content_type="image/png"),
        "/img/broken.jpg": Resp(body=roster("jpg")[:300], content_type="image/jpeg"),
    }
    for i in range(images):
        routes[f"/tp/p{i}.jpg"] = Resp(body=roster("jpg"), content_type="image/jpeg")
    return routes


def _kinds(db, rid) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings.list_findings(db, rid):
        out.setdefault(f.kind, []).append(f)
    return out


@needs_engine
def test_pictures_and_scans_are_read_with_regions_instead_of_unscanned(db, db_path):
    with FixtureSite(gallery_site(images=0)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
    assert s.state == "done", s.errors
    found = _kinds(db, rid)
    ocr_pii = [f for f in found.get("pii", []) if "图片文字识别" in f.detail]
    by_url = {f.url.rsplit("/", 1)[-1]: f for f in ocr_pii}
    assert set(by_url) >= {"roster.png", "mingdan.pdf"} or len(ocr_pii) >= 4, [f.detail for f in ocr_pii]
    png = [f for f in ocr_pii if f.url.endswith("roster.png")]
    assert {f.detail.split(" ")[0] for f in png} >= {"图片“roster.png”中身份证号", "图片“roster.png”中手机号"}
    for f in png:
        assert f.page == site.url + "/gsgg/a1.html"                   # the page that shows it
        assert "区域(" in f.evidence_text                                 # the region of each hit
    # Nothing the OCR read is left as 未扫描; the icon is skipped, the damaged picture not reported.
    unscanned = found.get("pii_unscanned", [])
    assert not [f for f in unscanned if "roster" in f.url or ".pdf" in f.url or "icon" in f.url
                or "broken" in f.url], [f.detail for f in unscanned]
    assert s.ocr["files"] >= 2 and s.ocr["images"] >= 2 and s.ocr["stopped"] == 0
    note = db.conn.execute("SELECT note FROM evidence WHERE url = ?", (site.url + "/upload/roster.png",)).fetchone()
    assert note is not None and '"ocr": 1' in note[0]
    assert s.sites[0].unscanned == 0


@needs_engine
def test_the_evidence_picture_marks_each_hit_and_hides_the_numbers(db, db_path):
    from PIL import Image
    from app.core.checks import ocr_scan
    from app.core.checks.base import CheckContext
    with FixtureSite(gallery_site(images=0)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        jobs.run_checks(db_path, rid, options=opts())
    png = [f for f in findings.list_findings(db, rid, kind="pii") if f.url.endswith("roster.png")]
    paths = {f.screenshot_path for f in png}
    assert len(paths) == 1 and all(paths)                             # one picture of the file, on each finding
    path = Path(paths.pop())
    assert path.is_file() and path.parent.parent.name == f"round-{rid}"
    img = Image.open(path).convert("RGB")
    assert max(img.size) <= 1600
    import numpy as np
    a = np.asarray(img)
    red = int(((a[..., 0] > 180) & (a[..., 1] < 60) & (a[..., 2] < 60)).sum())
    assert red > 50                                                   # the outlines
    # Read again, the picture gives away none of the numbers it flags.
    again = ocr_scan.scan_image(str(path), path.read_bytes(), CheckContext(dt.date(2025, 6, 30), {}))
    assert again.images[0].read and not [f for f in again.findings if f.kind == "pii"], \
        [f.detail for f in again.findings]
    pdf = [f for f in findings.list_findings(db, rid, kind="pii") if f.url.endswith(".pdf")]
    assert pdf and all(f.screenshot_path.endswith("-p1.png") and Path(f.screenshot_path).is_file() for f in pdf)


@needs_engine
def test_the_per_site_cap_counts_pictures_and_notes_the_rest(db, db_path):
    with FixtureSite(gallery_site(images=4)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(ocr_images=3))
    fetched = sum(site.gets(p) for p in ["/upload/roster.png", "/img/icon.png", "/img/broken.jpg"]
                  + [f"/tp/p{i}.jpg" for i in range(4)])
    assert fetched == 3                                                # images fetched for OCR: the cap
    notes = " ".join(s.sites[0].notes)
    assert "识别上限" in notes and "未识别" in notes, notes


def test_ocr_off_leaves_pictures_to_the_link_check(db, db_path):
    with FixtureSite(gallery_site(images=1)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(ocr=False))
    assert site.gets("/upload/roster.png") == 0 and site.heads("/upload/roster.png") == 1
    assert not [f for f in findings.list_findings(db, rid, kind="pii") if "图片文字识别" in f.detail]
    scan = [f for f in findings.list_findings(db, rid, kind="pii_unscanned") if f.url.endswith(".pdf")]
    assert scan and "无文字层" in scan[0].detail                       # listed for the inspector, as before
    assert s.ocr == {}


@needs_engine
def test_cancel_during_ocr_stops_soon_and_resume_reads_the_file_again(db, db_path):
    cancel = jobs.CancelToken()
    with FixtureSite(gallery_site(images=6)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        holder: dict = {}
        t = threading.Thread(target=lambda: holder.update(s=jobs.run_checks(db_path, rid, options=opts(),
                                                                             cancel=cancel)))
        t.start()
        wait_until(lambda: site.gets("/tp/p5.jpg") >= 1, timeout=30)
        cancel.cancel()
        t.join(10)
        assert not t.is_alive()                                         # the OCR helper was killed, not awaited
        first = holder["s"]
        assert first.cancelled
        s = jobs.resume_run(db_path, first.run_id)
    assert s.state == "done"
    assert [f for f in findings.list_findings(db, rid, kind="pii") if "roster.png" in f.url]
    rows = db.conn.execute("SELECT COUNT(*) FROM findings WHERE round_id = ? AND kind = 'pii'", (rid,)).fetchone()[0]
    assert rows == len({f.fingerprint for f in findings.list_findings(db, rid, kind="pii")})


def test_cli_ocr_switches(db, db_path, capsys, monkeypatch):
    with FixtureSite(gallery_site(images=0)) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        monkeypatch.setattr(ocr, "available", lambda: False)
        assert main(["--db", str(db_path), "check", str(rid), "--ocr", "--delay", "0"]) == 2
        assert ocr.MISSING in capsys.readouterr().err
        assert main(["--db", str(db_path), "check", str(rid), "--delay", "0"]) == 0
        err = capsys.readouterr().err
        assert "提示：" + ocr.MISSING in err and "文字识别：" not in err
        assert site.gets("/upload/roster.png") == 0
        assert main(["--db", str(db_path), "check", str(rid), "--no-ocr", "--delay", "0"]) == 0
        assert ocr.MISSING not in capsys.readouterr().err
