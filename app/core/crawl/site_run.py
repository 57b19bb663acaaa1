"""Run-thread side of one site in a check run: its crawl state, task scheduling, results and finish."""
from __future__ import annotations

import dataclasses
import json
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..checks.base import CheckFinding, LinkResult, Page
from ..checks.catalog import NOT_SUPPLIED, SiteInputs
from ..checks import ocr
from ..checks.ocr_scan import answerable
from ..checks.pii import KIND_UNSCANNED
from ..rounds import rounds
from ..rounds.shot_files import shot_folder
from ..store import audit
from .check_suite import finding_row, link_result
from .crawler import IMAGE_EXTS, SiteCrawl, url_ext
from .fetching import LinkStatus
from .transport import host_key
from .run_options import FINISHED_STATES, SiteResult
from .run_tokens import Cancelled
from .site_worker import _Cached, _do_task, _Outcome, _Task, evidence_note

log = logging.getLogger(__name__)

_MAX_OCCURRENCES = 60                      # linking pages remembered per link target


@dataclass
class _SiteRun:
    target: rounds.RoundTarget
    crawl: SiteCrawl | None = None
    state: str = "pending"
    inflight: int = 0
    awaiting: set = field(default_factory=set)     # link urls checked for another site, still in flight
    cached: dict = field(default_factory=dict)     # url -> _Cached
    home: Page | None = None
    stylesheets: dict = field(default_factory=dict)     # CSS url -> text, for dark links hidden by them
    page_findings: list = field(default_factory=list)   # HTML page findings, merged at the end of the site
    summaries: dict = field(default_factory=dict)       # collector -> per-page summaries
    occurrences: dict = field(default_factory=dict)     # link url -> [(page, anchor, link_type)]
    external_pages: list = field(default_factory=list)
    tls: Any = NOT_SUPPLIED
    aaaa: Any = NOT_SUPPLIED
    probe_pending: bool = False
    pages: int = 0
    attachments: int = 0
    findings: int = 0
    existing: int = 0
    probed: bool = False
    probe_ok: bool | None = None
    probe_seconds: float | None = None
    error: str = ""
    notes: list = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0                                  # when it finished (its result keeps that time)
    elapsed_before: float = 0.0
    links: int = 0
    broken: int = 0
    unscanned: int = 0
    file_unscanned: dict = field(default_factory=dict)  # fetched attachment not scanned -> linking page
    links_checked: int = 0                              # status checks finished (for the ETA)
    overtime: int | None = None                         # over site_deadline: URLs left unfetched
    ocr_pending: int = 0                                # files with the OCR stage
    ocr_budget: Any = None                              # ocr.ImageBudget of the site (OCR on)

    @property
    def key(self) -> str:
        return self.target.target_key

    def result(self) -> SiteResult:
        return SiteResult(
            target_id=self.target.id, site_key=self.key, name=self.target.name, url=self.target.url,
            state=self.state, pages=self.pages, attachments=self.attachments, unscanned=self.unscanned,
            links=self.links, broken=self.broken, findings=self.findings, existing=self.existing,
            probe_ok=self.probe_ok, probe_seconds=self.probe_seconds, error=self.error, notes=list(self.notes),
            elapsed=round(self.elapsed_before + ((self.ended or time.monotonic()) - self.started if self.started else 0.0), 1))

    def fraction(self) -> float:
        """Share of this site done, for the ETA: requests made against the requests still queued
        (pages up to the cap, files, status checks: what will really be fetched)."""
        if self.state in FINISHED_STATES:
            return 1.0
        if self.crawl is None:
            return 0.0
        done = self.pages + self.attachments + self.links_checked
        left = self.crawl.work_left() + len(self.awaiting) + self.inflight + self.ocr_pending
        return min(0.95, done / max(1, done + left))


def _only_for_ocr(item) -> bool:
    """An image the crawl fetched because OCR is on (not a page URL that answered with a file)."""
    return item.purpose == "attachment" and url_ext(item.url) in IMAGE_EXTS


def _site_from_summary(site: _SiteRun, d: dict) -> None:
    for k in ("state", "pages", "attachments", "findings", "existing", "probe_ok", "probe_seconds", "error",
              "links", "broken", "unscanned", "notes"):
        if k in d:
            setattr(site, k, d[k])
    site.probed = bool(d.get("probed"))
    site.elapsed_before = float(d.get("elapsed") or 0.0)


class _SiteRunner:
    """Mixin of _Engine (jobs.py): starting sites, feeding their tasks to the workers, finishing them."""

    # ------------------------------------------------------------ set-up helpers

    @staticmethod
    def _site_record(t: rounds.RoundTarget) -> dict:
        rec = dict(t.snapshot or {})
        rec.setdefault("site_code", t.target_key)
        rec.setdefault("name", t.name)
        rec.setdefault("url", t.url)
        rec.setdefault("host_unit", t.unit_name)
        rec.setdefault("region", t.region_name)
        rec.setdefault("is_portal", t.is_portal)
        return rec

    # ------------------------------------------------------------ scheduling

    def _activate(self, executor: ThreadPoolExecutor) -> None:
        want = max(2, self.options.concurrency)
        for site in self.sites:
            if len(self.active) >= want:
                break
            if site.state != "pending":
                continue
            site.state = "running"
            site.started, site.ended = time.monotonic(), 0.0
            if not site.target.url:
                site.state, site.error = "failed", "未登记网址"
                self._site_finished(site, run_checks=False)
                continue
            site.crawl = SiteCrawl(site.target.url, self.options.max_depth, self.options.max_pages,
                                   self.options.max_attachments, fetch_attachments=self.suite.wants("pii"),
                                   fetch_external=self.suite.wants("external_link_suspect"),
                                   max_links_per_page=self.options.max_links_per_page,
                                   ocr_images=self.options.ocr_images if self.ocr is not None else 0)
            site.ocr_budget = self.ocr.budget() if self.ocr is not None else None
            self._load_site_cache(site.target.id, site.cached)
            site.pages = site.attachments = 0           # recounted while replaying the cache
            site.file_unscanned = {}
            self.active.append(site)
            self.dirty_sites = True
            if self.suite.wants("https_problem") or self.suite.wants("ipv6_missing"):
                host = urlsplit(site.crawl.home_url).hostname or ""
                if host:
                    site.probe_pending = True
                    self._submit(executor, site, _Task(site.key, probe_host=host), "")

    def _host_free(self, url: str) -> bool:
        return self.host_inflight.get(host_key(url), 0) < self.options.per_host

    def _submit(self, executor: ThreadPoolExecutor, site: _SiteRun, task: _Task, url: str) -> None:
        host = host_key(url) if url and task.cached is None else ""
        if host:
            self.host_inflight[host] = self.host_inflight.get(host, 0) + 1
        fut = executor.submit(_do_task, self.env, task)
        fut.host = host
        self.inflight[fut] = site
        site.inflight += 1

    def _next_task(self, site: _SiteRun) -> tuple[_Task, str] | None:
        crawl = site.crawl
        if site.overtime is None and site.elapsed_before + time.monotonic() - site.started > self.options.site_deadline:
            site.overtime = crawl.stop()           # over the site's time: nothing new is started
        while True:
            item = crawl.peek_item()
            if item is None:
                break
            cached = site.cached.get(item.url)
            if cached is not None:
                crawl.next_item()
                # Replayed: page checks run again (their findings are merged at the end of the site),
                # attachments' findings were written when they were first read (also those of page
                # URLs that answered with a file: stored with purpose 'attachment').
                checks = item.purpose == "page" and cached.note.get("purpose") != "attachment"
                return _Task(site.key, item, cached=cached, run_page_checks=checks), item.url
            if item.purpose == "external":
                if item.url in self.externals:
                    # Fetched for another site already: replay it for this one.
                    crawl.next_item()
                    return _Task(site.key, item, cached=self.externals[item.url]), item.url
                if item.url in self.external_inflight:
                    crawl.next_item()                   # being fetched for another site: wait for it
                    self.external_inflight[item.url].append((site, item))
                    site.awaiting.add(("external", item.url))
                    continue
                st = self.link_status.get(item.url)
                if st is not None and not st.ok:
                    crawl.next_item()                   # known dead from a link check: nothing to read
                    site.external_pages.append(Page(
                        url=st.final_url or item.url, status=st.status, requested_url=item.url, error=st.error,
                        error_kind=st.error_kind, referrer=item.referrer, anchor=item.anchor, purpose="external"))
                    continue
            if self._host_free(item.url):
                crawl.next_item()
                if item.purpose == "external":
                    self.external_inflight[item.url] = []
                # A page URL may answer with a file: read it while attachments are wanted and under their cap.
                read = crawl.can_read_attachment
                return _Task(site.key, item, files="read" if read else "note"), item.url
            break
        if not self.check_links:
            crawl.link_queue.clear()
            return None
        q = crawl.link_queue
        for _ in range(min(len(q), 32)):
            url = q.popleft()
            if url in self.link_status:
                continue
            if url in self.link_inflight:
                self.link_inflight[url].add(site.key)
                site.awaiting.add(url)
                continue
            if self._host_free(url):
                self.link_inflight[url] = {site.key}
                site.awaiting.add(url)
                return _Task(site.key, link_url=url), url
            q.append(url)
        return None

    def _fill(self, executor: ThreadPoolExecutor) -> None:
        limit = max(1, self.options.concurrency) * 2       # a little queue keeps the workers busy
        while self.deferred:
            site, task, url = self.deferred.pop()
            site.awaiting.discard(("external", url))
            self._submit(executor, site, task, url)
        progress = True
        while progress and len(self.inflight) < limit:
            progress = False
            for site in list(self.active):
                if len(self.inflight) >= limit:
                    break
                nxt = self._next_task(site)
                if nxt is not None:
                    self._submit(executor, site, *nxt)
                    progress = True

    # ------------------------------------------------------------ results

    def _handle(self, fut: Future) -> None:
        site = self.inflight.pop(fut)
        site.inflight -= 1
        if fut.host:
            self.host_inflight[fut.host] -= 1
        if fut.cancelled():
            return
        try:
            out: _Outcome = fut.result()
        except Exception as exc:                       # a bug in a worker: record it, keep going
            log.exception("task failed")
            self._error(site, str(exc))
            return
        task = out.task
        if task.probe_host:
            site.probe_pending = False
            site.tls, site.aaaa = out.tls, out.aaaa
            return
        if out.cancelled:
            if task.link_url:
                self.link_inflight.pop(task.link_url, None)
            if task.item is not None and task.item.purpose == "external":
                self.external_inflight.pop(task.item.url, None)
            return
        for e in out.check_errors:
            self._error(site, e)
        if task.link_url:
            self._link_done(site, task.link_url, out.status)
            return
        if out.ocr_raw and self._ocr_submit(site, out):
            return                                 # handled when its OCR is back
        self._handle_outcome(site, out)

    def _handle_outcome(self, site: _SiteRun, out: _Outcome) -> None:
        task = out.task
        item, page = task.item, out.page
        crawl = site.crawl
        if item.purpose == "stylesheet":
            site.stylesheets[item.url] = page.text if page.ok and not page.truncated else ""
            return
        if item.url not in self.link_status or task.cached is None:
            self.link_status[item.url] = out.status
        if item.is_home:
            crawl.note_redirect(item, page.url)
            if site.home is None or page.ok:
                site.home = page           # a forwarding stub's target replaces it
                site.error = "" if page.ok else (page.error or f"首页返回 HTTP {page.status}")
            if not site.probed and task.cached is None:
                self._probe(site, page)
        if item.purpose == "page" and page.purpose == "attachment":
            crawl.page_was_file()                  # /download?id=1 answered with a PDF
        if page.purpose == "page":
            site.pages += int(page.ok and page.is_html)
        elif page.purpose == "attachment":
            site.attachments += int(page.ok)
            if out.file_unscanned:
                site.file_unscanned.setdefault(item.url, item.referrer)
        elif item.purpose == "external":
            site.external_pages.append(page)
            if task.cached is None:
                if out.content is not None:
                    self.externals[item.url] = _Cached(item.url, page.url, page.status, page.content_type,
                                                       out.content, evidence_note(page), page.elapsed, page.size,
                                                       page.content_hash, page.fetched_at)
                self._release_external_waiters(item.url, page)
        if task.cached is None:
            self.pending_evidence.append(self._evidence_row(site.target.id, page, out.content, out.file_note))
        for name, value in out.summaries.items():
            site.summaries.setdefault(name, []).append(value)
            if name == "dark_css":
                crawl.add_stylesheets(page.url, value.stylesheets)
        if out.findings:
            if page.purpose == "attachment":
                self._queue_findings(site, out.findings)          # written with the file's evidence row
            else:
                site.page_findings.extend(out.findings)
        if out.links:
            crawl.add_links(page.url, item.depth, out.links, item.is_home)
            self._remember_links(site, page.url, out.links)

    # ------------------------------------------------------------ OCR beside the crawl

    def _ocr_submit(self, site: _SiteRun, out: _Outcome) -> bool:
        """Hand an image or scanned PDF to the OCR stage; False when it is handled now instead
        (over the site's cap: the file keeps its 未扫描 finding, or none for an image fetched only
        for OCR)."""
        item = out.task.item
        if self.cancel.cancelled:
            return True                            # not recorded: a resume fetches it again
        replaced = answerable(out.findings, out.page.url)
        if not site.ocr_budget.take(item.url):
            self.ocr.stats.skipped += 1
            if _only_for_ocr(item):
                out.findings = [f for f in out.findings if f not in replaced]
                out.file_unscanned = False          # never listed: only fetched for OCR
            out.ocr_raw = b""
            return False
        fut = self.ocr.submit(out.page.url, out.ocr_raw, out.ocr_name, item.referrer or out.page.url, self.as_of,
                              self.contexts[site.key].params)
        out.ocr_raw = b""
        self.ocr_inflight[fut] = (site, out, replaced)
        site.ocr_pending += 1
        return True

    def _ocr_done(self, fut: Future) -> None:
        site, out, replaced = self.ocr_inflight.pop(fut)
        site.ocr_pending -= 1
        try:
            scan = fut.result()
        except Cancelled:
            return                                 # not recorded: a resume reads it again
        except Exception as exc:                   # a bug in the stage: keep the 未扫描 finding
            log.exception("OCR failed")
            self._error(site, f"文字识别出错：{exc}")
            scan = None
        if scan is not None:
            found = self._store_pictures(site, scan)
            if _only_for_ocr(out.task.item):       # a broken picture on a page is not a file to open by hand
                found = [f for f in found if ocr.DAMAGED not in f.detail]
            out.findings = [f for f in out.findings if f not in replaced] + found
            read = sum(1 for im in scan.images if im.read)
            out.file_unscanned = any(f.kind == KIND_UNSCANNED for f in out.findings)
            out.file_note = {**out.file_note, "scanned": not out.file_unscanned, "ocr": read}
        self._handle_outcome(site, out)

    def _store_pictures(self, site: _SiteRun, scan) -> list[CheckFinding]:
        """Write the OCR evidence pictures beside the page screenshots; the findings point at them."""
        paths: dict[str, str] = {}
        if scan.pictures:
            folder = shot_folder(self.db, self.round_id, site.key)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for name, png in scan.pictures.items():
                    (folder / name).write_bytes(png)
                    paths[name] = str(folder / name)
            except OSError as exc:                 # disk full, no access: the text evidence remains
                self._error(site, f"证据图片无法保存（{folder}）：{exc.strerror or exc}")
        return [dataclasses.replace(f, screenshot=paths.get(f.screenshot, "")) if f.screenshot else f
                for f in scan.findings]

    def _release_external_waiters(self, url: str, page: Page) -> None:
        """Sites that link the same external page get it replayed with their own referrer."""
        for other, item in self.external_inflight.pop(url, []):
            if url in self.externals:
                # Still awaited until _fill submits the replay, so the site cannot finish before it.
                self.deferred.append((other, _Task(other.key, item, cached=self.externals[url]), url))
            else:                                        # nothing to read (dead, not HTML): the status is enough
                other.awaiting.discard(("external", url))
                other.external_pages.append(dataclasses.replace(
                    page, referrer=item.referrer, anchor=item.anchor, text="", raw=b""))

    def _remember_links(self, site: _SiteRun, page_url: str, found: list) -> None:
        """Where each link appears, for the broken-link findings (dropped once a target is known fine)."""
        occ = site.occurrences
        known = site.crawl.referrers
        for link in found:
            if link.url not in known:
                continue                            # left out over the per-page cap: never checked
            st = self.link_status.get(link.url)
            if st is not None and st.ok:
                continue
            places = occ.setdefault(link.url, [])
            if len(places) < _MAX_OCCURRENCES:
                places.append((page_url, link.text[:200], link.link_type))

    def _link_done(self, site: _SiteRun, url: str, status: LinkStatus) -> None:
        self.link_status[url] = status
        site.links_checked += 1
        waiting = self.link_inflight.pop(url, set())
        for s in self.active:
            if s.key in waiting:
                s.awaiting.discard(url)
                if status.ok:
                    s.occurrences.pop(url, None)
        site.awaiting.discard(url)
        if status.ok:
            site.occurrences.pop(url, None)
        note = {"final": status.final_url}
        for k in ("error", "error_kind"):
            if getattr(status, k):
                note[k] = getattr(status, k)
        if status.redirects:
            note["redirects"] = list(status.redirects)
        self.pending_evidence.append((self.round_id, site.target.id, self.run_id, "link", url, status.status,
                                      audit.now(), status.elapsed, None, "", status.content_type, None,
                                      json.dumps(note, ensure_ascii=False)))

    def _probe(self, site: _SiteRun, page: Page) -> None:
        seconds = page.elapsed
        ok = page.ok and seconds is not None and seconds < self.options.probe_threshold
        error = page.error
        if page.ok and not ok:
            error = f"首页打开用时 {seconds:.1f} 秒，达到 {self.options.probe_threshold:g} 秒阈值"
        elif not page.ok and not error:
            error = f"HTTP {page.status}"
        site.probed, site.probe_ok, site.probe_seconds = True, ok, seconds
        if site.target.site_id is not None:
            self.pending_probes.append((site.target.site_id, page.requested_url or page.url, page.fetched_at,
                                        seconds, int(ok), page.status, error, "probe"))
        self.dirty_sites = True

    def _queue_findings(self, site: _SiteRun, found: list[CheckFinding]) -> None:
        kept, dropped = self.suite.finish(found) if found else ([], 0)
        if dropped:
            self._error(site, f"{dropped} 条问题的指标不在本轮指标体系中，未记录")
        self.pending_findings.setdefault(site.target.id, []).extend(finding_row(site.target.id, f) for f in kept)

    def _error(self, site: _SiteRun | None, text: str) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"{site.key}：{text}" if site else text)

    # ------------------------------------------------------------ finishing a site

    def _ready(self, site: _SiteRun) -> bool:
        crawl = site.crawl
        if site.inflight or site.awaiting or site.probe_pending or site.ocr_pending:
            return False
        if self.cancel.cancelled:
            return False                           # what was dropped on the way makes it incomplete
        if crawl.peek_item() is not None:
            return False
        if self.check_links:
            return not any(u not in self.link_status for u in crawl.link_queue)
        return True

    def _link_results(self, site: _SiteRun) -> list[LinkResult]:
        out = []
        for url, places in site.occurrences.items():
            st = self.link_status.get(url)
            if st is None or st.ok:
                continue
            out.extend(link_result(url, page, anchor, link_type, st.status, st.error_kind)
                       for page, anchor, link_type in places)
        return out

    def _site_finished(self, site: _SiteRun, run_checks: bool = True) -> None:
        crawl = site.crawl
        if run_checks and crawl is not None:
            if site.home is None or not site.home.ok:
                site.state = "unreachable"
            checked = [u for u in crawl.referrers if u in self.link_status]
            site.links = len(checked)
            site.broken = sum(1 for u in checked if not self.link_status[u].ok)
            unscanned = {u: ref for u, ref in crawl.unscanned.items()
                         if u in self.link_status and self.link_status[u].ok}
            # Files fetched from page URLs but not scanned (unreadable type, not read): the pii check
            # listed them itself; without it the site check lists them like files not downloaded.
            listed = {} if self.suite.wants("pii") else {
                u: ref for u, ref in site.file_unscanned.items() if u not in unscanned}
            host = urlsplit(crawl.home_url).hostname or ""
            home_url = site.home.url if site.home is not None and site.home.ok else crawl.home_url
            inputs = SiteInputs(
                home_url=home_url, home=site.home, summaries=site.summaries,
                link_results=self._link_results(site) if self.check_links else NOT_SUPPLIED,
                external_pages=site.external_pages if crawl.fetch_external else NOT_SUPPLIED,
                tls=site.tls, aaaa=site.aaaa, host=host,
                probes=self._probes(site.target.site_id) if site.target.site_id is not None else NOT_SUPPLIED,
                unscanned={**unscanned, **listed},
                stylesheets=site.stylesheets if self.suite.wants("dark_link") else NOT_SUPPLIED)
            found, notes, errors = self.suite.site_findings(inputs, self.contexts[site.key])
            for e in errors:
                self._error(site, e)
            if site.overtime is not None:
                notes.append(f"超过单个网站 {self.options.site_deadline / 60:g} 分钟的检查时限，已停止抓取，"
                             f"{site.overtime} 个页面或链接未检查")
            if crawl.skipped_links:
                notes.append(f"{crawl.crowded} 个页面的链接超过每页 {crawl.max_links_per_page} 个的上限，"
                             f"{crawl.skipped_links} 个链接未检查（如 {crawl.crowded_pages[0]}）")
            if site.ocr_budget is not None and site.ocr_budget.note():
                notes.append(site.ocr_budget.note())
            if crawl.images_skipped:
                notes.append(f"网站图片超过每站 {crawl.ocr_images} 个的识别上限，{crawl.images_skipped} 个图片未识别文字")
            site.notes = notes
            self._queue_findings(site, site.page_findings + found)
            site.unscanned = len(unscanned) + len(site.file_unscanned.keys() - unscanned.keys())
            self.pending_checked.append(site.target.id)
            for url, ref in unscanned.items():
                st = self.link_status[url]
                self.pending_evidence.append((
                    self.round_id, site.target.id, self.run_id, "file", url, st.status, audit.now(),
                    None, None, "", st.content_type, None,
                    json.dumps({"unscanned": True, "referrer": ref, "note": "未扫描"}, ensure_ascii=False)))
        if site.state == "running":
            site.state = "done"
        site.ended = time.monotonic()
        # Drop what the site kept in memory.
        site.home, site.cached, site.page_findings, site.summaries, site.stylesheets = None, {}, [], {}, {}
        site.file_unscanned = {}
        site.occurrences, site.external_pages, site.crawl = {}, [], None
        if site in self.active:
            self.active.remove(site)
        self.dirty_sites = True
        self._flush(force=True)
        self.finished_since_report.append(site.result())
        self._report(site)
