"""One vocabulary: the glossary names every threshold parameter and source of the built-in profiles,
and no word it says to avoid is left in the app's strings, its CLI messages or the README."""
from __future__ import annotations

import json
import re
from pathlib import Path

from app.core.rounds import glossary

ROOT = Path(__file__).resolve().parents[3]


def _profile_nodes():
    for path in (ROOT / "resources" / "indicators").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        stack = list(doc["items"]) + [r for r in doc["scoring"].values() if isinstance(r, dict)]
        while stack:
            node = stack.pop()
            yield node
            stack += node.get("children", [])


def test_every_parameter_and_source_has_a_chinese_name():
    params = {k for n in _profile_nodes() for k in n.get("params", {})}
    sources = {s for n in _profile_nodes() for s in n.get("sources", [])}
    assert params and sources
    assert {k for k in params if glossary.param_label(k) == k or not re.search(r"[\u4e00-\u9fff]",
                                                                               glossary.param_label(k))} == set()
    assert {s for s in sources if not glossary.source_label(s)} == set()
    assert glossary.param_label("no_such_key") == "no_such_key" and glossary.source_label("S99") == ""
    assert glossary.sources_text(["S04", "S99"]).startswith("S04（某民政局") and glossary.sources_text(
        ["S04", "S99"]).endswith("；S99")


def test_no_avoided_word_in_the_app_or_the_readme():
    avoided = {w: t.term for t in glossary.terms() for w in t.avoid}
    assert avoided.get("检查批次") == "检查轮次"
    hits = []
    for path in [*(ROOT / "app").rglob("*.py"), ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        hits += [f"{path.relative_to(ROOT)}: {w}" for w in avoided if w in text]
    assert hits == []


def test_round_target_states_mean_one_thing():
    terms = {t.term: t for t in glossary.terms()}
    for state in ("待检查", "已检查", "未检查"):
        assert "合格率" in terms[state].meaning
    # The check run's own states have their own words (the 自动检查 page).
    assert {"未运行", "排队中", "检查完成", "待继续"} <= set(terms)
