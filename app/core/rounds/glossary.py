"""The app's words (resources/glossary.json): terms and the ones to avoid, Chinese names of the
indicator profiles' threshold parameters (``news_window_days`` …) and of their sources (S04 …)."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from ..store.paths import resources_dir

FILE = "glossary.json"


@dataclass(frozen=True)
class Term:
    term: str
    en: str
    meaning: str
    avoid: tuple[str, ...] = ()


@functools.cache
def _data() -> dict:
    try:
        return json.loads((resources_dir() / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):          # a build without the file: codes stay as they are
        return {}


def terms() -> list[Term]:
    return [Term(t["term"], t.get("en", ""), t.get("meaning", ""), tuple(t.get("avoid", ())))
            for t in _data().get("terms", [])]


def param_label(key: str) -> str:
    """The Chinese name of a threshold parameter, else the key itself."""
    return _data().get("params", {}).get(key, key)


def source_label(code: str) -> str:
    """What a source id (S04 …) of the indicator spec is, in Chinese; '' when unknown."""
    return _data().get("sources", {}).get(code.strip(), "")


def sources_text(codes) -> str:
    """"S04 某民政局…；S07 2015年…" — each source with what it is."""
    return "；".join(f"{c}（{source_label(c)}）" if source_label(c) else c for c in codes)
