"""typos.tsv as data: it parses, it is big enough, its guards hold, planted errors fire, and the
scan stays linear in the text (counted in executed lines of the scanner, not in seconds)."""
import sys

import pytest

from app.core.checks import typos
from app.core.checks.typos import Dictionary, Entry, load_dictionary, read_tsv
from app.core.store.paths import resources_dir

DICTS = resources_dir() / "dictionaries"


@pytest.fixture(scope="module")
def entries():
    return read_tsv(DICTS / "typos.tsv", grave=False)


def test_file_parses_line_by_line_and_has_1500_pairs(entries):
    lines = [ln for ln in (DICTS / "typos.tsv").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert len(entries) == len(lines), "a line was dropped by the parser"
    assert len(entries) >= 1500
    for ln in lines:
        parts = ln.split("\t")
        assert 2 <= len(parts) <= 3 and all(p == p.strip() and p for p in parts), ln
    sections = [ln for ln in (DICTS / "typos.tsv").read_text(encoding="utf-8").splitlines() if ln.startswith("# ——")]
    assert len(sections) >= 8


def test_no_wrong_form_is_another_entrys_right_form_or_guard(entries):
    grave = read_tsv(DICTS / "grave.tsv", grave=True)
    wrongs = {e.wrong for e in entries + grave}
    rights = {e.right for e in entries + grave}
    guards = {x for e in entries + grave for x in e.exceptions}
    assert not wrongs & rights
    assert not wrongs & guards


def test_every_exception_contains_its_wrong_form_and_is_longer(entries):
    raw = {}
    for ln in (DICTS / "typos.tsv").read_text(encoding="utf-8").splitlines():
        parts = ln.split("\t")
        if len(parts) == 3 and not ln.startswith("#"):
            raw[parts[0]] = parts[2].split("|")
    for e in entries:
        assert list(e.exceptions) == raw.get(e.wrong, []), e.wrong     # none silently dropped
        assert all(e.wrong in x and len(x) > len(e.wrong) for x in e.exceptions)


@pytest.mark.parametrize("sentence", [
    "毕竟相关政策还在完善之中，究竟相关部门如何落实，还需观察。",      # 竟相 across 毕竟/究竟 + 相关
    "鼓励群众自己经营农家乐，不断增加收入。",                          # 己经 across 自己 + 经营
    "请各单位关注消费市场变化，做好保供稳价工作。",                    # 注消 across 关注 + 消费
    "园区内一座落成于1958年的老厂房已完成改造。",                      # 座落 across 一座 + 落成
    "受寒潮影响，今天燃气用量明显上升。",                              # 天燃气 across 今天 + 燃气
    "各县要加强与相关健康服务机构的对接。",                            # 关健 across 相关 + 健康
    "该专栏截至目前已发布政策解读42篇。",                              # 栏截 across 专栏 + 截至
    "形势依然严峻工作任务十分繁重。",                                  # 峻工 across 严峻 + 工作
    "经选拔通过的人员名单见附件。",                                    # 拔通 across 选拔 + 通过
    "所在地海拔通常在2000米以上。",
    "第一批覆盖全市的充电设施已投入使用。",                            # 批覆 across 第一批 + 覆盖
    "本报消息，全市防汛工作有序推进。",
    "政府投资询价采购活动依法进行。",                                  # 资询 across 投资 + 询价
    "按装修标准验收，按造价的2%计取。",
])
def test_guarded_contexts_do_not_fire(sentence):
    assert load_dictionary().scan(sentence) == [], sentence


@pytest.mark.parametrize("sentence, wrong, right", [
    ("截止目前，全市共受理申请356件。", "截止目前", "截至目前"),
    ("按造规定程序报县政府审批。", "按造规定", "按照规定"),
    ("认真贯侧落实会议精神。", "贯侧", "贯彻"),
    ("各单位要把工作布署到位。", "布署", "部署"),
    ("召开老干部坐谈会。", "坐谈会", "座谈会"),
    ("双方签定了合作协议。", "签定", "签订"),
    ("局党组招开专题会议。", "招开", "召开"),
    ("切实巩故脱贫攻坚成果。", "巩故", "巩固"),
    ("持续拓展秸杆综合利用渠道。", "秸杆", "秸秆"),
    ("请于2025年7月20日前将函件报送市卫建委。", "卫建委", "卫健委"),
    ("要以儆效尤，决不姑息；以警效尤的说法不对。", "以警效尤", "以儆效尤"),
    ("二○二五年十二月三日", "二○二", "二〇二"),
    ("群众反映的问题要做到件件有着落，与时具进。", "与时具进", "与时俱进"),
])
def test_planted_errors_fire(sentence, wrong, right):
    hits = load_dictionary().scan(sentence)
    assert [(h.entry.wrong, h.entry.right) for h in hits] == [(wrong, right)]
    assert sentence[hits[0].start:hits[0].end] == wrong


def _lines_executed(d: Dictionary, text: str) -> int:
    """Python lines run inside typos.py while scanning: a measure of work, not of time."""
    count = 0
    target = typos.__file__

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != target:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        d.scan(text)
    finally:
        sys.settrace(None)
    return count


def test_scan_work_grows_linearly_with_hits_and_guards():
    d = Dictionary([Entry("布署", "部署", False), Entry("按装", "安装", False, ("按装修",)),
                    Entry("竟相", "竞相", False, ("毕竟相", "究竟相"))])
    unit = "各地布署到位，按装修标准施工，毕竟相关工作复杂，各方竟相参与。"
    small, big = _lines_executed(d, unit * 50), _lines_executed(d, unit * 400)
    assert len(d.scan(unit * 400)) == 2 * 400
    assert big <= 8 * small * 1.1, (small, big)      # 8× the text, about 8× the work
