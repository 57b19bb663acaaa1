"""Check run options and results as plain data: CheckOptions, RunProgress, SiteResult, RunSummary."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:                 # fetching pulls in requests; the CLI parser reads the defaults here
    from .transport import FetchOptions

RUN_STATES = ("running", "paused", "cancelled", "done", "failed")
FINISHED_STATES = ("done", "unreachable", "failed")          # of a site within a run


@dataclass(frozen=True)
class CheckOptions:
    """Limits of a check run (the CLI flags and the GUI's run dialog)."""

    max_depth: int = 6
    max_pages: int = 1000                     # HTML pages per site (pagination included)
    max_attachments: int = 300                # attachments fetched per site for the PII scan
    concurrency: int = 8                      # requests at once, all hosts together
    per_host: int = 2                         # requests at once to one host
    delay: float = 0.25                       # seconds between request starts to one host
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0                    # total seconds per request
    max_page_bytes: int = 3_000_000
    max_attachment_bytes: int = 10_000_000
    probe_threshold: float = 15.0             # homepage slower than this (inclusive) = failed probe
    check_links: bool = True
    site_deadline: float = 1800.0             # seconds one site may take; then nothing new is fetched
    max_links_per_page: int = 1000            # new URLs taken from one page; the rest noted, not checked
    parse_workers: int = 2                    # helper processes that read attachments
    parse_seconds: float = 60.0               # one attachment's read and scan, then its helper is killed
    parse_memory_mb: int = 200                # a helper's address space beyond its start (~65 MB resident)
    # OCR of images and scanned PDF pages (off unless asked; the CLI and the GUI turn it on when
    # the engine is installed). Runs in a helper process of its own beside the crawl.
    ocr: bool = False
    ocr_images: int = 50                      # files OCRed per site (images, scanned PDFs); the rest noted
    ocr_seconds: float = 60.0                 # one image or PDF page; a file's helper is killed at 5× that
    ocr_max_pixels: int = 24_000_000          # larger images are downscaled to this first
    ocr_memory_mb: int = 2000                 # the OCR helper's address space beyond its start
    kinds: tuple[str, ...] | None = None      # only these check kinds (None: every one in the catalog)
    params: dict = field(default_factory=dict)   # per-kind parameter overrides (over the rule set's)
    contact: str = ""                         # shown in the User-Agent

    def fetch_options(self) -> FetchOptions:
        from .transport import FetchOptions
        return FetchOptions(connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                            deadline=self.deadline, max_page_bytes=self.max_page_bytes,
                            max_attachment_bytes=self.max_attachment_bytes, per_host=self.per_host,
                            delay=self.delay, contact=self.contact)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["kinds"] = list(self.kinds) if self.kinds is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CheckOptions":
        names = {f.name for f in dataclasses.fields(cls)}
        d = {k: v for k, v in (d or {}).items() if k in names}
        if d.get("kinds") is not None:
            d["kinds"] = tuple(d["kinds"])
        return cls(**d)


@dataclass(frozen=True)
class RunProgress:
    """One progress report (plain data, safe to hand to another thread)."""

    run_id: int
    sites_total: int
    sites_done: int
    pages: int
    findings: int                             # new findings written so far
    elapsed: float
    eta: float | None                         # seconds left, None while unknown
    site_key: str = ""                        # the site this report is about
    site_name: str = ""
    site_pages: int = 0
    site_findings: int = 0
    site_state: str = ""
    paused: bool = False
    message: str = ""
    # Sites that finished since the previous report (reports are throttled, so several sites
    # finishing at once arrive together here). SiteResult is defined below.
    finished: tuple = ()


@dataclass(frozen=True)
class SiteResult:
    """Outcome of one site in one run (also the GUI's per-site table row)."""

    target_id: int
    site_key: str
    name: str
    url: str
    state: str                   # pending/running/done/unreachable/failed
    pages: int = 0
    attachments: int = 0
    unscanned: int = 0           # .doc/.xls attachments listed as 未扫描
    links: int = 0               # distinct link targets checked
    broken: int = 0              # of which broken
    findings: int = 0            # new findings written by this run
    existing: int = 0            # findings seen again (already in the round)
    probe_ok: bool | None = None
    probe_seconds: float | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)   # 未检测 / 样本不足 notes of the site checks
    elapsed: float = 0.0


@dataclass
class RunSummary:
    """What run_checks returns; ``cancelled`` tells a cancelled run from a finished one."""

    run_id: int
    round_id: int
    state: str
    sites_total: int = 0
    sites_done: int = 0
    pages: int = 0
    links: int = 0
    findings: int = 0                     # new findings written
    existing: int = 0                     # findings seen again
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)   # new and seen-again findings of this process
    sites: list[SiteResult] = field(default_factory=list)
    skipped_kinds: list[str] = field(default_factory=list)  # checks not run: indicator not in the rule set
    # Attachment reads in helper processes: jobs, timeouts, memory, crashed, starts, helper_peak_mb.
    helpers: dict = field(default_factory=dict)
    # OCR beside the crawl (empty when off): files, images, seconds, skipped, stopped, helper_peak_mb.
    ocr: dict = field(default_factory=dict)

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"


def clock(seconds: float | None) -> str:
    """Elapsed/remaining time as m:ss or h:mm:ss ('--:--' when unknown)."""
    if seconds is None:
        return "--:--"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def duration(seconds: float) -> str:
    """A run's duration in Chinese words (1小时2分3秒)."""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}小时{m}分{s}秒"
    return f"{m}分{s}秒" if m else f"{s}秒"


def ocr_line(ocr: dict) -> str:
    """The run's OCR in one Chinese line ('' when OCR was off)."""
    if not ocr:
        return ""
    line = f"文字识别：{ocr['files']} 个图片或扫描件（{ocr['images']} 幅），用时 {duration(ocr['seconds'])}"
    if ocr.get("skipped"):
        line += f"，超出每站上限未识别 {ocr['skipped']} 个"
    if ocr.get("stopped"):
        line += f"，超时或超出内存未识别 {ocr['stopped']} 个"
    return line
