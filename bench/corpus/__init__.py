"""The benchmark corpus: generated government sites with known defects and decoys (see site.py)."""
from __future__ import annotations

import random

from .model import AS_OF, KINDS, UNIT, Site, Truth
from .site import SiteBuilder

__all__ = ["AS_OF", "KINDS", "UNIT", "Site", "Truth", "build", "external_sites"]


def build(n_sites: int, ports: list[int], ext_ports: dict[str, int], seed: int = 4) -> tuple[list[Site], Truth]:
    """n_sites sites (one per port) and their ground truth; the same seed gives the same corpus."""
    rng = random.Random(seed)
    truth = Truth()
    sites = [SiteBuilder(k, ports[k], ext_ports, random.Random(rng.random()), truth).render() for k in range(n_sites)]
    return sites, truth


def _plain(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>").encode("utf-8")


def external_sites() -> dict[str, dict]:
    bad = _plain("澳门葡京娱乐城-真人视讯-体育投注", "<h1>澳门葡京</h1><p>百家乐 老虎机 真人视讯 体育投注 博彩</p>")
    good = _plain("中国政府网", "<h1>中国政府网</h1><p>国务院信息公开</p>")
    ok = {p: (200, "text/html; charset=utf-8", good) for p in ("/", "/conac/dzjg.html", "/exposure/jiucuo.html")}
    ok["/exposure/jiucuo.js"] = (200, "application/javascript", b"/* jiucuo */")
    ok["/conac/CA360000000600000001.js"] = (200, "application/javascript", b"/* conac */")
    ok["*"] = (200, "text/html; charset=utf-8", good)          # 公安 filing pages and the like
    return {"bad": {"/": (200, "text/html; charset=utf-8", bad)}, "good": ok}
