"""OCR beside the crawl: images and scanned PDFs read in a helper process of their own.

The crawl's workers never wait for OCR: a file that needs it is handed to the stage and the run
thread collects the answer later (the site finishes only when its files are read). One thread
feeds one helper process (the models are loaded once per run); each file is read under the
run's caps (pixels, seconds per image) and a hard wall clock, and Cancel kills the helper.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from ..checks import ocr
from ..checks.budget import ParseAborted
from ..checks.ocr_scan import OcrScan, unread
from .parse_pool import ParsePool
from .run_options import CheckOptions

JOB = "app.core.checks.ocr_scan:scan_file"
PRELOAD = ("app.core.checks.ocr_scan", "numpy", "PIL.Image", "cv2", "onnxruntime", "rapidocr")
FILE_SECONDS = 5                   # a file's hard wall clock, in images' worth of seconds
RECYCLE_MB = 1500                  # a helper holding more after a file is replaced (models: ~300 MB)


@dataclass
class OcrStats:
    files: int = 0                 # files read (images, PDFs with scanned pages)
    images: int = 0                # images and PDF pages recognised
    seconds: float = 0.0           # recognition time, all files
    stopped: int = 0               # files whose helper was stopped (time, memory, crash)
    skipped: int = 0               # files over the per-site cap
    helper_peak_mb: list = field(default_factory=list)


class OcrStage:
    """``submit(...)`` returns a Future of an OcrScan; ``close()`` ends the helper."""

    def __init__(self, options: CheckOptions, cancel=None):
        self.limits = ocr.OcrLimits(seconds_per_image=options.ocr_seconds, max_pixels=options.ocr_max_pixels,
                                    images_per_site=options.ocr_images)
        self.pool = ParsePool(workers=1, seconds=options.ocr_seconds * FILE_SECONDS, memory_mb=options.ocr_memory_mb,
                              cancel=cancel, preload=PRELOAD, recycle_mb=RECYCLE_MB)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr-worker")
        self.stats = OcrStats()
        self._lock = threading.Lock()

    def budget(self) -> ocr.ImageBudget:
        """A site's count of files to OCR."""
        return ocr.ImageBudget(self.limits.images_per_site)

    def submit(self, url: str, data: bytes, name: str, page: str, as_of, params: dict) -> Future:
        return self.executor.submit(self._read, url, data, name, page, as_of, params)

    def _read(self, url: str, data: bytes, name: str, page: str, as_of, params: dict) -> OcrScan:
        try:
            scan = self.pool.run(JOB, url, data, name, page, as_of, params, self.limits)
        except ParseAborted as exc:          # over the wall clock or the memory cap, or the helper died
            with self._lock:
                self.stats.stopped += 1
            return OcrScan(unread(url, name, page, exc.reason), [])
        with self._lock:
            self.stats.files += 1
            self.stats.images += sum(1 for im in scan.images if im.read)
            self.stats.seconds += scan.seconds
        return scan

    def close(self) -> None:
        self.pool.close()                    # a file in progress is killed: its caller gets Cancelled
        self.executor.shutdown(wait=False, cancel_futures=True)

    def summary(self) -> dict:
        d = asdict(self.stats)
        d["seconds"] = round(d["seconds"], 1)
        d["helper_peak_mb"] = list(self.pool.stats.helper_peak_mb)
        return d
