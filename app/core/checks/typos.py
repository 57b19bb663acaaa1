"""typo, grave_error: Aho–Corasick scan of a page's visible text against our own dictionaries.

resources/dictionaries/typos.tsv (一般错别字) and grave.tsv (+ grave_user.tsv if present:
严重表述错误 → security veto candidate). Each line: wrong<TAB>right[<TAB>exception|exception…];
an exception is a longer correct word that contains the wrong form (按装修 for 按装), and a hit
inside it is not reported. One automaton serves both lists; it is built once and rebuilt only
when a dictionary file changes.
"""
from __future__ import annotations

import os
import threading
from bisect import bisect_right
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import ahocorasick

from ..store.paths import resources_dir
from .base import CheckContext, CheckFinding, Page
from .text import visible

KIND_TYPO = "typo"
KIND_GRAVE = "grave_error"
IND_TYPO = "web.ded.publish.accuracy"
IND_GRAVE = "web.veto.security.c1"
DEFAULTS = {"allow": []}          # allowed phrases: a hit whose ±15-char context contains one is dropped
CONTEXT = 15
DICT_FILES = ("typos.tsv", "grave.tsv", "grave_user.tsv")


@dataclass(frozen=True)
class Entry:
    wrong: str
    right: str
    grave: bool
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int
    end: int                         # exclusive


class Dictionary:
    """Typo and grave entries with one automaton over wrong forms and exception words."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, Entry] = {}
        for e in entries:
            # A grave entry wins over a typo entry with the same wrong form.
            if e.wrong not in self.entries or e.grave:
                self.entries[e.wrong] = e
        self.automaton = ahocorasick.Automaton()
        payloads: dict[str, list] = {}
        for e in self.entries.values():
            payloads.setdefault(e.wrong, []).append(("w", e))
            for x in e.exceptions:
                payloads.setdefault(x, []).append(("x", x))
        for key, items in payloads.items():
            self.automaton.add_word(key, tuple(items))
        if payloads:
            self.automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.entries)

    def scan(self, text: str) -> list[Hit]:
        """Non-overlapping hits; exceptions and longer/grave matches win.

        Near-linear in the text: exception spans are looked up by bisection over their
        starts (with a running maximum of their ends), overlaps through the positions
        already taken, so a long page full of guarded words costs no pairwise comparisons."""
        if not self.entries or not text:
            return []
        hits: list[Hit] = []
        spans: list[tuple[int, int]] = []
        for end, items in self.automaton.iter(text):
            for kind, value in items:
                if kind == "x":
                    spans.append((end - len(value) + 1, end + 1))
                else:
                    hits.append(Hit(value, end - len(value.wrong) + 1, end + 1))
        if not hits:
            return []
        if spans:
            hits = _outside_exceptions(hits, spans)
        hits.sort(key=lambda h: (not h.entry.grave, -(h.end - h.start), h.start))
        kept: list[Hit] = []
        taken: set[int] = set()
        for h in hits:
            positions = range(h.start, h.end)
            if not any(i in taken for i in positions):
                kept.append(h)
                taken.update(positions)
        kept.sort(key=lambda h: h.start)
        return kept


def _outside_exceptions(hits: list[Hit], spans: list[tuple[int, int]]) -> list[Hit]:
    """Hits not lying inside an exception span (every exception is longer than the wrong
    form it guards, so "inside" is enough)."""
    spans.sort()
    starts = [s for s, _ in spans]
    reach, far = [], -1
    for _, e in spans:
        far = max(far, e)
        reach.append(far)
    out = []
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i < 0 or reach[i] < h.end:
            out.append(h)
    return out


def read_tsv(path: Path, grave: bool) -> list[Entry]:
    entries = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 2 or not parts[0] or not parts[1] or parts[0] == parts[1]:
            continue
        exceptions = tuple(x.strip() for x in parts[2].split("|") if x.strip()) if len(parts) > 2 else ()
        entries.append(Entry(parts[0], parts[1], grave,
                             tuple(x for x in exceptions if parts[0] in x and x != parts[0])))
    return entries


_lock = threading.Lock()
_cache: dict[tuple, Dictionary] = {}
_recent: dict[str, tuple[float, Dictionary]] = {}     # folder -> (checked at, dictionary)
RECHECK_SECONDS = 5.0                                 # how often the files are stat()ed for edits


def load_dictionary(folder: Path | str | None = None) -> Dictionary:
    """The combined dictionary of a folder (default resources/dictionaries); built once and
    rebuilt only when a file's mtime/size changes (looked at no more than every few seconds)."""
    key_folder = str(folder or "")
    now = time.monotonic()
    recent = _recent.get(key_folder)
    if recent is not None and now - recent[0] < RECHECK_SECONDS:
        return recent[1]
    path = Path(folder) if folder else resources_dir() / "dictionaries"
    stamp = []
    for name in DICT_FILES:
        try:
            st = os.stat(path / name)
            stamp.append((name, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamp.append((name, None, None))
    key = (str(path), tuple(stamp))
    d = _cache.get(key)
    if d is None:
        with _lock:
            d = _cache.get(key)
            if d is None:
                entries: list[Entry] = []
                for name, mtime, _ in stamp:
                    if mtime is not None:
                        entries.extend(read_tsv(path / name, grave=name != "typos.tsv"))
                d = Dictionary(entries)
                for old in [k for k in _cache if k[0] == str(path)]:
                    del _cache[old]
                _cache[key] = d
    _recent[key_folder] = (now, d)
    return d


def context(text: str, start: int, end: int, width: int = CONTEXT) -> str:
    """±width characters around a hit within its line, with … where cut."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    a, b = max(line_start, start - width), min(line_end, end + width)
    return ("…" if a > line_start else "") + text[a:b] + ("…" if b < line_end else "")


def _allowed(text: str, hit: Hit, allow: Iterable[str]) -> bool:
    window = text[max(0, hit.start - CONTEXT): hit.end + CONTEXT]
    return any(phrase and phrase in window for phrase in allow)


def _dictionary(ctx: CheckContext | None) -> Dictionary:
    folder = (ctx.params.get(KIND_TYPO) or {}).get("dictionaries") if ctx else None
    return load_dictionary(folder)


def _whitelist(text: str, hits: list[Hit], ctx: CheckContext | None) -> list[Hit]:
    if ctx is None:
        return hits
    allow_typo = list(ctx.opts(KIND_TYPO, DEFAULTS).get("allow") or ())
    allow_grave = list(ctx.opts(KIND_GRAVE, DEFAULTS).get("allow") or ())
    if not (allow_typo or allow_grave):
        return hits
    return [h for h in hits if not _allowed(text, h, allow_grave if h.entry.grave else allow_typo)]


def scan_text(text: str, ctx: CheckContext | None = None, dictionary: Dictionary | None = None) -> list[Hit]:
    """Hits in a text after the whitelist (ctx.params['typo'/'grave_error']['allow'])."""
    return _whitelist(text, (dictionary or _dictionary(ctx)).scan(text), ctx)


def _findings(page: Page, ctx: CheckContext, grave: bool) -> list[CheckFinding]:
    text = visible(page).text
    if not text:
        return []
    d = _dictionary(ctx)
    cached = page.__dict__.get("_gi_typo_hits")     # typo and grave_error share one scan per page
    if cached is None or cached[0] is not d:
        cached = page.__dict__["_gi_typo_hits"] = (d, d.scan(text))
    by_wrong: dict[str, list[Hit]] = {}
    for h in _whitelist(text, cached[1], ctx):
        if h.entry.grave == grave:
            by_wrong.setdefault(h.entry.wrong, []).append(h)
    out = []
    for wrong, hits in by_wrong.items():
        e = hits[0].entry
        snippets = [context(text, h.start, h.end) for h in hits]
        if grave:
            kind, ind, detail = KIND_GRAVE, IND_GRAVE, f"严重表述错误：“{wrong}”应为“{e.right}”"
        else:
            kind, ind, detail = KIND_TYPO, IND_TYPO, f"错别字：“{wrong}”应为“{e.right}”"
        evidence = f"本页出现{len(hits)}次：\n" + "\n".join(snippets[:20])
        out.append(CheckFinding(kind, ind, url=page.url, page=page.url, detail=detail,
                                snippet=snippets[0], evidence=evidence))
    return out


def typo(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """一般错别字 in the page's visible text: one finding per wrong form per page."""
    return _findings(page, ctx, grave=False)


def grave_error(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """严重表述错误 (leader names/titles, political formulations): security veto candidates."""
    return _findings(page, ctx, grave=True)
