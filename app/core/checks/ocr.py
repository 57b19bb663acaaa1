"""Offline OCR of image files and image-only PDF pages: lines of text with their boxes.

The engine is RapidOCR 3.x on ONNX Runtime with the PP-OCRv6 models inside its wheel (the
``ocr`` extra); model paths are given explicitly so it never downloads. Heavy libraries
(onnxruntime, numpy, OpenCV, Pillow, pypdf) are imported on first use only, so the CLI starts
fast. One engine per process, built on first use; calls are serialised by a lock (the caller runs
OCR in its own worker thread). Every file is read under caps (``OcrLimits``); a file that cannot
be read gives an ``OcrImage`` with a Chinese ``reason``, never an exception.
"""
from __future__ import annotations

import importlib.util
import io
import logging
import math
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

ENGINE = "RapidOCR（PP-OCRv6，ONNX Runtime）"
MISSING = "未安装文字识别组件（pip install \"govinspect[ocr]\"），图片未识别"
MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx",
          "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
_MODULES = ("rapidocr", "onnxruntime", "numpy", "PIL", "cv2")
STRIP = 2000                         # the engine shrinks a longer side to this; longer images are cut in strips
STRIP_OVERLAP = 300                  # more than a table row is tall or a cell is wide
DAMAGED = "图片损坏或格式不支持"
MIN_PDF_TEXT = 20                    # characters of a PDF page's own text layer above which it is not OCRed


@dataclass(frozen=True)
class OcrLimits:
    """Caps of one run's OCR (defaults for a desktop PC; the caller may override each)."""

    max_pixels: int = 24_000_000     # larger images are downscaled to this many pixels first
    refuse_pixels: int = 150_000_000  # beyond this an image is not decoded at all
    max_bytes: int = 30 * 1024 * 1024
    seconds_per_image: float = 60.0  # deadline of one image (or one PDF page), checked between model calls
    images_per_site: int = 300       # the caller counts (ImageBudget)
    pdf_pages: int = 50              # image-only pages read per PDF
    images_per_pdf_page: int = 4     # the largest images of a page
    min_side: int = 24               # smaller images (icons, spacers) hold no text worth reading
    threads: int = 2                 # ONNX Runtime threads; keeps the crawl responsive beside OCR


@dataclass(frozen=True)
class OcrLine:
    """One recognised line; ``box`` is (left, top, right, bottom) in the file's own pixels."""

    text: str
    box: tuple[int, int, int, int]
    score: float = 1.0


@dataclass(frozen=True)
class OcrImage:
    """What OCR read from one image file or one PDF page."""

    name: str                        # file name
    page: int = 0                    # 1-based PDF page; 0 for an image file
    lines: tuple[OcrLine, ...] = ()
    size: tuple[int, int] = (0, 0)   # width, height as stored in the file
    seconds: float = 0.0
    reason: str = ""                 # Chinese: why it was not read; '' when read
    skew: float = 0.0                # median slope (dy/dx) of the text lines: a scan laid askew
    part: str = ""                   # a PDF page's image (its XObject name) that was read

    @property
    def read(self) -> bool:
        return not self.reason

    @property
    def where(self) -> str:
        """图片“a.jpg”, 附件“a.pdf”第3页 or 附件“a.pdf” (for findings)."""
        if self.page:
            return f"附件“{self.name}”第{self.page}页"
        return f"附件“{self.name}”" if self.name.lower().endswith(".pdf") else f"图片“{self.name}”"


def available() -> bool:
    """Whether the OCR engine and its libraries are installed (nothing heavy is imported)."""
    for name in _MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):        # ValueError: a module set to None in sys.modules
            return False
    return True


# ---------------------------------------------------------------- the engine

class _Deadline(Exception):
    pass


_local = threading.local()


class _Guarded:
    """A model session that refuses to run once this thread's deadline has passed.

    RapidOCR calls its detection model once and its recognition model once per batch of six
    lines, so a dense page stops within one batch of its deadline."""

    def __init__(self, inner):
        self._inner = inner

    def __call__(self, *args, **kwargs):
        deadline = getattr(_local, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise _Deadline
        return self._inner(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._inner, name)


_engine_lock = threading.Lock()
_engines: dict[int, object] = {}


def _engine(threads: int):
    """The RapidOCR engine with ``threads`` ONNX Runtime threads, built once (about 1 s)."""
    with _engine_lock:
        engine = _engines.get(threads)
        if engine is None:
            import rapidocr
            from rapidocr import RapidOCR
            models = Path(rapidocr.__file__).parent / "models"
            params = {"Global.log_level": "error", "Global.use_cls": False,
                      "Global.max_side_len": STRIP,
                      "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                      "EngineConfig.onnxruntime.inter_op_num_threads": 1}
            for part, file in MODELS.items():
                if not (models / file).is_file():
                    raise FileNotFoundError(f"OCR model missing: {models / file}")
                params[f"{part}.model_path"] = str(models / file)   # an explicit path: no download
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            engine = RapidOCR(params=params)
            # Load both models now and guard them for the deadline (internal but pinned: <4).
            engine._load_det_model().session = _Guarded(engine._load_det_model().session)
            engine._load_rec_model().session = _Guarded(engine._load_rec_model().session)
            _engines[threads] = engine
        return engine


_call_lock = threading.Lock()


def _run(engine, rgb, deadline: float) -> list[tuple[list, str, float]]:
    """(quad, text, score) of one RGB image array; raises _Deadline."""
    with _call_lock:
        _local.deadline = deadline
        try:
            out = engine(rgb[:, :, ::-1])                # RapidOCR reads OpenCV's BGR order
        finally:
            _local.deadline = None
    if out is None or getattr(out, "boxes", None) is None or out.txts is None:
        return []
    return [(box.tolist(), str(txt), float(score)) for box, txt, score in zip(out.boxes, out.txts, out.scores)]


# ---------------------------------------------------------------- images

def _strips(w: int, h: int) -> list[tuple[int, int, int, int]]:
    """Crops (left, top, right, bottom) of a long image (a 长图 of a whole list), overlapping by
    STRIP_OVERLAP pixels, so the engine's own downscaling to STRIP pixels does not shrink its
    text too far; one crop for any other image."""
    long_side, short_side = max(w, h), min(w, h)
    if long_side <= STRIP * 1.6 or short_side > STRIP or long_side < 2 * short_side:
        return [(0, 0, w, h)]
    length = max(short_side, 1000, min(STRIP, 2 * short_side))
    n = math.ceil((long_side - STRIP_OVERLAP) / (length - STRIP_OVERLAP))
    length = math.ceil((long_side + (n - 1) * STRIP_OVERLAP) / n)
    starts = [min(i * (length - STRIP_OVERLAP), long_side - length) for i in range(n)]
    return [(0, s, w, s + length) if h >= w else (s, 0, s + length, h) for s in starts]


def _keep(box, crops, index) -> bool:
    """Whether a box read in crop ``index`` is kept: a line seen whole by two overlapping crops is
    kept from the first; a line cut by this crop's inner edge is left to a neighbour that sees it
    whole (a line longer than the overlap is kept in pieces)."""
    if len(crops) == 1:
        return True
    a, b = (1, 3) if crops[0][2] == crops[-1][2] else (0, 2)   # strips stacked, or side by side
    lo, hi = box[a], box[b]

    def whole(i: int) -> bool:
        if not 0 <= i < len(crops):
            return False
        c = crops[i]
        return (i == 0 or lo > c[a] + 2) and (i == len(crops) - 1 or hi < c[b] - 2) and c[a] <= lo and hi <= c[b]

    if hi <= crops[index][a] or lo >= crops[index][b]:
        return False                                          # not in this crop at all
    if whole(index):
        return not whole(index - 1)
    return not (whole(index - 1) or whole(index + 1))


def _prepare(img, limits: OcrLimits):
    """An RGB image no larger than max_pixels and the factor its boxes must be multiplied by."""
    from PIL import Image, ImageOps
    if getattr(img, "is_animated", False):
        img.seek(0)                                           # first frame of an animated GIF/WebP
    w, h = img.size
    scale = 1.0
    if w * h > limits.max_pixels:
        scale = (limits.max_pixels / (w * h)) ** 0.5
        if img.format == "JPEG":
            img.draft("RGB", (int(w * scale), int(h * scale)))   # decode at a reduced size (fast)
    img.load()
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:                                         # a broken EXIF block: keep the pixels as stored
        pass
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)              # text on a transparent ground stays visible
    img = img.convert("RGB")
    if img.width * img.height > limits.max_pixels:
        f = (limits.max_pixels / (img.width * img.height)) ** 0.5
        img = img.resize((max(1, int(img.width * f)), max(1, int(img.height * f))), Image.Resampling.LANCZOS,
                         reducing_gap=2.0)
    return img, w / img.width


def _ocr_pil(img, name: str, page: int, limits: OcrLimits, started: float) -> OcrImage:
    """OCR of a decoded image under the caps; boxes in the image's stored pixels."""
    w, h = img.size
    if w * h > limits.refuse_pixels:
        return OcrImage(name, page, size=(w, h),
                        reason=f"图片过大（{w}×{h}像素，超过{limits.refuse_pixels / 10_000:g}万像素上限），未识别")
    if min(w, h) < limits.min_side:
        return OcrImage(name, page, size=(w, h), seconds=time.monotonic() - started)
    try:
        rgb_img, factor = _prepare(img, limits)
    except Exception as exc:                                  # Pillow raises many types on damaged data
        return OcrImage(name, page, size=(w, h), seconds=time.monotonic() - started,
                        reason=f"{DAMAGED}，无法识别（{type(exc).__name__}）")
    try:
        engine = _engine(limits.threads)
    except ImportError:
        return OcrImage(name, page, size=(w, h), reason=MISSING)
    except Exception as exc:                                  # a broken install: say so once per image
        log.exception("OCR engine failed to start")
        return OcrImage(name, page, size=(w, h), reason=f"文字识别组件无法启动（{type(exc).__name__}），图片未识别")
    import numpy as np
    deadline = started + limits.seconds_per_image
    crops = _strips(*rgb_img.size)
    lines: list[OcrLine] = []
    slopes: list[float] = []
    try:
        for i, crop in enumerate(crops):
            part = np.asarray(rgb_img.crop(crop) if len(crops) > 1 else rgb_img)
            for quad, text, score in _run(engine, part, deadline):
                xs = [p[0] + crop[0] for p in quad]
                ys = [p[1] + crop[1] for p in quad]
                box = (min(xs), min(ys), max(xs), max(ys))
                if text.strip() and _keep(box, crops, i):
                    lines.append(OcrLine(text, tuple(int(round(v * factor)) for v in box), round(score, 3)))
                    dx, dy = quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]
                    if dx > 3 * abs(quad[3][1] - quad[0][1]) and dx > 0:
                        slopes.append(dy / dx)                # top edge of a long line
    except _Deadline:
        return OcrImage(name, page, size=(w, h), seconds=time.monotonic() - started,
                        reason=f"识别超时（超过{limits.seconds_per_image:g}秒），未识别完")
    except Exception as exc:                                  # onnxruntime/OpenCV errors on odd input
        log.warning("OCR failed on %s: %s", name, exc)
        return OcrImage(name, page, size=(w, h), seconds=time.monotonic() - started,
                        reason=f"文字识别失败（{type(exc).__name__}）")
    lines.sort(key=lambda ln: (ln.box[1], ln.box[0]))
    skew = sorted(slopes)[len(slopes) // 2] if slopes else 0.0
    return OcrImage(name, page, tuple(lines), (w, h), time.monotonic() - started, skew=round(skew, 4))


def read_image(data: bytes, name: str = "", limits: OcrLimits | None = None) -> OcrImage:
    """Lines of one image file (jpg, png, gif, bmp, webp, tif …) read under the caps."""
    limits = limits or OcrLimits()
    started = time.monotonic()
    if not available():
        return OcrImage(name, reason=MISSING)
    if len(data) > limits.max_bytes:
        return OcrImage(name, reason=f"图片超过{limits.max_bytes // (1024 * 1024)}MB，未识别")
    from PIL import Image
    try:
        img = Image.open(io.BytesIO(data))
        img.size                                              # header read: size known before decoding
    except Image.DecompressionBombError:
        return OcrImage(name, seconds=time.monotonic() - started,
                        reason=f"图片过大（超过{limits.refuse_pixels / 10_000:g}万像素上限），未识别")
    except Exception as exc:                                  # UnidentifiedImageError, truncated headers …
        return OcrImage(name, seconds=time.monotonic() - started,
                        reason=f"{DAMAGED}，无法识别（{type(exc).__name__}）")
    return _ocr_pil(img, name, 0, limits, started)


# ---------------------------------------------------------------- PDF pages without a text layer

def _page_images(page, limits: OcrLimits) -> list[tuple[str, int, int]]:
    """(name, width, height) of a page's image XObjects, largest first."""
    found = []
    try:
        xobjects = page["/Resources"]["/XObject"].get_object()
    except (KeyError, TypeError, AttributeError):
        return []
    for key, ref in xobjects.items():
        try:
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((str(key), int(obj.get("/Width", 0)), int(obj.get("/Height", 0))))
        except Exception:                                     # a broken object: the page reads without it
            continue
    found.sort(key=lambda t: -t[1] * t[2])
    return found[: limits.images_per_pdf_page]


def read_pdf(data: bytes, name: str = "", limits: OcrLimits | None = None,
             pages: set[int] | None = None, stop: Callable[[], bool] | None = None) -> list[OcrImage]:
    """Lines of each PDF page that has no text layer of its own (a scan): one OcrImage per
    page image read. Pages with text are left to the text extractor (attachments.py).
    ``pages``: the 1-based pages to read when the caller already knows which lack text.
    ``stop``: asked before each page; True ends the reading (a cancelled run)."""
    limits = limits or OcrLimits()
    if not available():
        return [OcrImage(name, reason=MISSING)]
    from pypdf import PdfReader
    out: list[OcrImage] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return []                                         # attachments.py already lists it as encrypted
        scanned = 0
        for number, page in enumerate(reader.pages, start=1):
            if pages is not None:
                if number not in pages:
                    continue
            else:
                try:
                    text = page.extract_text() or ""
                except Exception:                             # a page pypdf cannot parse: try its images
                    text = ""
                if len("".join(text.split())) >= MIN_PDF_TEXT:
                    continue
            images = _page_images(page, limits)
            if not images:
                continue
            if stop is not None and stop():
                out.append(OcrImage(name, number, reason=f"检查已取消，第{number}页起未识别"))
                break
            if scanned >= limits.pdf_pages:
                out.append(OcrImage(name, number, reason=f"扫描页超过{limits.pdf_pages}页，第{number}页起未识别"))
                break
            scanned += 1
            rotate = int(page.get("/Rotate", 0) or 0) % 360
            for key, w, h in images:
                started = time.monotonic()
                if w * h > limits.refuse_pixels:
                    out.append(OcrImage(name, number, size=(w, h), reason=f"页面图片过大（{w}×{h}像素），未识别"))
                    continue
                if min(w, h) < limits.min_side:
                    continue
                try:
                    img = page.images[key].image
                except Exception as exc:                      # JBIG2 and other filters pypdf cannot decode
                    out.append(OcrImage(name, number, size=(w, h),
                                        reason=f"页面图片无法解码（{type(exc).__name__}），未识别"))
                    continue
                if rotate:
                    img = img.rotate(-rotate, expand=True)
                out.append(replace(_ocr_pil(img, name, number, limits, started), part=key))
    except Exception as exc:                                  # malformed PDFs raise anything from pypdf
        out.append(OcrImage(name, reason=f"PDF无法解析（{type(exc).__name__}），扫描页未识别"))
    return out


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]              # some servers put junk before the header; readers accept it


def read_file(data: bytes, name: str = "", limits: OcrLimits | None = None,
              stop: Callable[[], bool] | None = None) -> list[OcrImage]:
    """OCR of an image file or of a PDF's scanned pages."""
    if is_pdf(data):
        return read_pdf(data, name, limits, stop=stop)
    return [read_image(data, name, limits)]


@dataclass
class ImageBudget:
    """Images per site: the caller takes one before each OCR and lists what it skipped."""

    limit: int
    used: int = 0
    skipped: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, url: str) -> bool:
        with self._lock:
            if self.used < self.limit:
                self.used += 1
                return True
            self.skipped.append(url)
            return False

    def note(self) -> str:
        """Chinese line for the run's notes ('' when nothing was skipped)."""
        if not self.skipped:
            return ""
        return (f"图片及扫描件超过每站{self.limit}个的识别上限，另有{len(self.skipped)}个未识别"
                f"（如 {self.skipped[0]}），请人工查看是否含个人信息")
