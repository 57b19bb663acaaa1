"""Compare offline OCR engines on the generated scans of bench/ocr_corpus.py (raw reading only).

For each engine: the share of numbers (身份证号, mobiles, cards) read exactly (spaces ignored),
seconds per image (median) and the model load time. Engines
that are not installed are skipped. Used once to choose the engine (see README, OCR).
Run: python bench/ocr_engines.py [--n 36] [--engines rapidocr_onnxruntime,rapidocr,tesserocr]
"""
from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ocr_corpus  # noqa: E402
from ocr_corpus import CARD, ID, MOBILE, make_corpus  # noqa: E402

TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


def images_of(sample):
    from PIL import Image
    if sample.fmt != "pdf":
        return [Image.open(io.BytesIO(sample.data))]
    from pypdf import PdfReader
    return [im.image for page in PdfReader(io.BytesIO(sample.data)).pages for im in page.images]


def engine_rapidocr_onnxruntime():
    from rapidocr_onnxruntime import RapidOCR
    engine = RapidOCR()

    def run(img):
        import numpy as np
        result, _ = engine(np.asarray(img.convert("RGB"))[:, :, ::-1])
        return [t for _, t, _ in result or []]
    return run


def engine_rapidocr():
    from rapidocr import RapidOCR
    engine = RapidOCR(params={"Global.log_level": "warning"})

    def run(img):
        import numpy as np
        out = engine(np.asarray(img.convert("RGB"))[:, :, ::-1])
        return list(out.txts or ())
    return run


def engine_tesserocr():
    import tesserocr
    path = next((p for p in TESSDATA if Path(p, "chi_sim.traineddata").exists()), None)
    if path is None:
        raise ImportError("chi_sim.traineddata not found (apt-get install tesseract-ocr-chi-sim)")
    api = tesserocr.PyTessBaseAPI(path=path + "/", lang="chi_sim")

    def run(img):
        api.SetImage(img.convert("L"))
        return api.GetUTF8Text().splitlines()
    return run


ENGINES = {"rapidocr_onnxruntime": engine_rapidocr_onnxruntime, "rapidocr": engine_rapidocr,
           "tesserocr": engine_tesserocr}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=36)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--sizes", default="", help="text sizes in px instead of 15,22,30 (e.g. 11,13 for poor scans)")
    args = ap.parse_args()
    if args.sizes:
        ocr_corpus.FONT_SIZES = tuple(int(x) for x in args.sizes.split(","))
    samples = make_corpus(args.n)
    for key in args.engines.split(","):
        t0 = time.perf_counter()
        try:
            run = ENGINES[key]()
        except ImportError as exc:
            print(f"{key}: not installed ({exc})")
            continue
        load = time.perf_counter() - t0
        found = {ID: [0, 0], MOBILE: [0, 0], CARD: [0, 0], "含严重错误的句子": [0, 0]}
        by_size: dict[int, list[int]] = {}
        secs = []
        for s in samples:
            t = time.perf_counter()
            texts = [t for img in images_of(s) for t in run(img)]
            secs.append(time.perf_counter() - t)
            flat = re.sub(r"\s", "", "".join(texts))
            if s.footer:
                found["含严重错误的句子"][0] += s.footer.rstrip("。") in flat
                found["含严重错误的句子"][1] += 1
            for kind, number in s.pii:
                hit = number in flat
                found[kind][0] += hit
                found[kind][1] += 1
                by_size.setdefault(s.font_size, [0, 0])
                by_size[s.font_size][0] += hit
                by_size[s.font_size][1] += 1
        print(f"{key}: load {load:.1f} s, median {statistics.median(secs):.2f} s/image, "
              f"max {max(secs):.2f} s; read exactly: "
              + ", ".join(f"{k} {a}/{b}" for k, (a, b) in found.items() if b)
              + "; by text size: " + ", ".join(f"{k}px {a / b:.2f}" for k, (a, b) in sorted(by_size.items())))


if __name__ == "__main__":
    main()
