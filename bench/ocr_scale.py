"""OCR scale bench: 200 generated scans (images and image-only PDF pages) through the OCR checks.

公示名单 tables with valid 身份证号, mobiles and Luhn-valid bank cards at three resolutions, with
noise, JPEG artefacts and slight rotation, beside decoy tables (invoice numbers, phone-like order
ids, numbers failing their checksums, masked numbers, dates, landlines). Prints recall per number
type (matched per number), decoys and other numbers wrongly flagged, grave errors found, seconds
per image and peak RSS. Needs the ``ocr`` extra and a CJK font (fonts-noto-cjk on Debian).
Run: python bench/ocr_scale.py [--n 200] [--threads 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app.core.checks import ocr, ocr_scan  # noqa: E402
from app.core.checks.base import CheckContext  # noqa: E402
from app.core.checks.typos import load_dictionary  # noqa: E402
from ocr_corpus import CARD, ID, MOBILE, find_cjk_font, iter_corpus  # noqa: E402

CTX = CheckContext(dt.date(2025, 11, 15), {"site_code": "3607000001"})


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    if not ocr.available():
        print("跳过：未安装文字识别组件（pip install -e \".[ocr]\"）")
        return 0
    font = find_cjk_font()
    if not font:
        print("跳过：本机没有中文字体，无法生成样本（Debian/Ubuntu: apt-get install fonts-noto-cjk）")
        return 0
    limits = ocr.OcrLimits(threads=args.threads)
    t0 = time.perf_counter()
    ocr._engine(limits.threads)
    print(f"engine loaded in {time.perf_counter() - t0:.2f} s ({ocr.ENGINE}, {args.threads} threads); "
          f"RSS {rss_mb():.0f} MB")
    dictionary = load_dictionary()
    total, found = Counter(), Counter()
    by_size_total, by_size_found = Counter(), Counter()
    wrong: list[str] = []
    decoy_flagged = 0
    grave_total = grave_found = 0
    secs: list[float] = []
    read_total = read_found = 0
    unread: list[str] = []
    per_fmt: dict[str, list[float]] = {}
    t_all = time.perf_counter()
    samples = 0
    for s in iter_corpus(args.n, args.seed, font):       # drawn one at a time: the RSS is the reader's
        samples += 1
        t = time.perf_counter()
        images = ocr.read_file(s.data, s.name, limits)
        hits = [h for im in images if im.read for h in ocr_scan.pii_hits(im, CTX)]
        graves = {h.entry.wrong for im in images if im.read for h, _, _ in ocr_scan.grave_hits(im, CTX)}
        elapsed = time.perf_counter() - t
        secs.append(elapsed)
        per_fmt.setdefault(s.fmt, []).append(elapsed)
        unread += [f"{s.name}: {im.reason}" for im in images if im.reason]
        truth = set(s.pii)
        flagged = {(h.hit.kind, h.hit.number) for h in hits}
        if all(im.read for im in images):
            read_total += len(truth)
            read_found += len(truth & flagged)
        for item in truth:
            total[item[0]] += 1
            by_size_total[s.font_size] += 1
            if item in flagged:
                found[item[0]] += 1
                by_size_found[s.font_size] += 1
        for kind, number in flagged - truth:
            wrong.append(f"{s.name}: {kind} {number}")
            decoy_flagged += any(number in d.replace("-", "") for d in s.decoys)
        expected = {h.entry.wrong for h in dictionary.scan(s.footer) if h.entry.grave}
        grave_total += len(expected)
        grave_found += len(expected & graves)
        wrong += [f"{s.name}: grave {g}" for g in graves - expected]
    wall = time.perf_counter() - t_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("recall per number type (each number matched):")
    for kind in (ID, MOBILE, CARD):
        print(f"  {kind}: {found[kind]}/{total[kind]} = {found[kind] / max(1, total[kind]):.3f}")
    print(f"  all types, files read to the end: {read_found}/{read_total} = {read_found / max(1, read_total):.3f}")
    print("recall by text size: " + ", ".join(f"{k}px {by_size_found[k] / by_size_total[k]:.3f}"
                                             for k in sorted(by_size_total)))
    print(f"grave wording errors found: {grave_found}/{grave_total}")
    print(f"decoys flagged: {decoy_flagged}; all numbers flagged that are not PII of the sample: {len(wrong)}")
    for w in wrong[:20]:
        print("   ", w)
    print(f"not read: {len(unread)}")
    for u in unread[:10]:
        print("   ", u)
    secs.sort()
    print(f"seconds per file: median {statistics.median(secs):.2f}, p90 {secs[int(len(secs) * 0.9)]:.2f}, "
          f"max {secs[-1]:.2f}; total {wall:.0f} s for {samples} files")
    print("median seconds by format: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in per_fmt.items()))
    print(f"peak RSS {peak:.0f} MB (engine and models alone: see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
