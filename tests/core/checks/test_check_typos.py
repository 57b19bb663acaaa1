"""typo / grave_error: dictionaries, visible text only, exceptions, whitelist, false-positive guards."""
import shutil

import pytest

from app.core.checks import typos
from app.core.checks.typos import Dictionary, Entry, grave_error, load_dictionary, read_tsv, typo
from app.core.store.paths import resources_dir

from checkpages import html_page, make_ctx, page_from

DICTS = resources_dir() / "dictionaries"


def details(findings):
    return sorted(f.detail for f in findings)


def test_dictionary_sizes_and_sanity():
    entries = read_tsv(DICTS / "typos.tsv", grave=False)
    assert len(entries) >= 300
    grave = read_tsv(DICTS / "grave.tsv", grave=True)
    assert len(grave) >= 40
    wrongs = [e.wrong for e in entries + grave]
    assert len(wrongs) == len(set(wrongs)), "duplicate wrong forms"
    for e in entries + grave:
        assert e.wrong != e.right and e.wrong not in e.right
        assert all(e.wrong in x and len(x) > len(e.wrong) for x in e.exceptions)


def test_corrections_and_exceptions_never_trigger_the_dictionary():
    """Writing the suggested correction (or a listed correct longer word) must not be reported."""
    d = load_dictionary()
    for e in d.entries.values():
        assert d.scan(e.right) == [], e.right
        for x in e.exceptions:
            assert d.scan(x) == [], x


def test_typo_page(ctx):
    page = page_from("typos.html")
    found = typo(page, ctx)
    assert details(found) == sorted([
        "错别字：“再接再励”应为“再接再厉”",
        "错别字：“布署”应为“部署”",
        "错别字：“贯切落实”应为“贯彻落实”",
        "错别字：“一愁莫展”应为“一筹莫展”",
        "错别字：“迫不急待”应为“迫不及待”",
        "错别字：“发辉”应为“发挥”",
    ])
    f = next(f for f in found if "再接再励" in f.detail)
    assert f.kind == "typo" and f.indicator_id == "web.ded.publish.accuracy" and f.url == page.url
    assert f.snippet == "会议要求，各地各部门要再接再励，把安全生产各项工作布署到位，…"
    assert "本页出现1次" in f.evidence


def test_grave_page(ctx):
    found = grave_error(page_from("typos.html"), ctx)
    assert details(found) == sorted([
        "严重表述错误：“新时代中国特色社会注义”应为“新时代中国特色社会主义”",
        "严重表述错误：“党十九大”应为“党的十九大”",
        "严重表述错误：“烈土”应为“烈士”",
        "严重表述错误：“中国入民”应为“中国人民”",
    ])
    assert {f.indicator_id for f in found} == {"web.veto.security.c1"}
    assert {f.kind for f in found} == {"grave_error"}


def test_scripts_styles_comments_and_attributes_are_not_scanned(ctx):
    text = " ".join(f.detail for f in typo(page_from("typos.html"), ctx))
    assert "既往不究" not in text and "一如继往" not in text          # script, title attribute
    assert text.count("一愁莫展") == 1                                 # visible once; the CSS content is ignored


@pytest.mark.parametrize("sentence", [
    "请按装修标准和设计图纸施工。",                  # 按装 inside 按装修
    "考生按排名先后顺序选岗。",                      # 按排 inside 按排名
    "各单位按排班表落实24小时值班。",
    "文艺演出现场焕发辉煌光彩。",                    # 发辉 inside 焕发辉煌
    "全县剧烈土壤侵蚀面积逐年下降。",                # 烈土 inside 剧烈土壤
    "各自已经完成年度任务。",                        # 自已 inside 各自已经
    "群众情绪激动，情不自已。",
    "大力弘扬慈善长期坚持的传统。",                  # 善长 inside 慈善长期
    "不断完善长效机制，巩固整改成果。",              # 善长 across 完善 + 长效
    "统计报表中的总数记录有误，已更正。",            # 总数记 inside 总数记录
    "深入学习贯彻中国共产党十九大精神。",            # 党十九大 inside 共产党十九大
    "严厉打击违法犯罪，加强预防犯罪工作。",          # no entry may fire on correct text
    "会议部署了下一阶段工作，要求各地安排专人负责，按照规定及时发挥作用。",
])
def test_no_false_positives_on_correct_text(sentence):
    assert load_dictionary().scan(sentence) == [], sentence


def test_inline_tags_do_not_hide_a_typo(ctx):
    page = html_page("<p>我们要再接<b>再励</b>，继续前进。</p>")
    assert details(typo(page, ctx)) == ["错别字：“再接再励”应为“再接再厉”"]


def test_whitelist_suppresses_hits_near_an_allowed_phrase():
    page = html_page("<p>《再接再励》是一首歌曲名。会议要求大家再接再励。</p>")
    assert len(typo(page, make_ctx())[0].evidence.splitlines()) == 3          # header + 2 contexts
    allowed = make_ctx(typo={"allow": ["《再接再励》是一首歌"]})
    found = typo(page, allowed)
    assert len(found) == 1 and "本页出现1次" in found[0].evidence
    assert typo(page, make_ctx(typo={"allow": ["再接再励"]})) == []
    grave = html_page("<p>电影《烈土》剧情介绍</p>")
    assert grave_error(grave, make_ctx(grave_error={"allow": ["电影《烈土》"]})) == []
    assert grave_error(grave, make_ctx())


def test_longest_and_grave_match_wins():
    d = Dictionary([Entry("书纪", "书记", False), Entry("总书纪", "总书记", True)])
    hits = d.scan("习近平总书纪指出")
    assert [(h.entry.wrong, h.entry.grave) for h in hits] == [("总书纪", True)]


def test_user_grave_list_is_loaded(tmp_path):
    for name in ("typos.tsv", "grave.tsv"):
        shutil.copy(DICTS / name, tmp_path / name)
    (tmp_path / "grave_user.tsv").write_text("# 用户补充\n云溪市人民正府\t云溪市人民政府\n", encoding="utf-8")
    d = load_dictionary(tmp_path)
    assert [h.entry.right for h in d.scan("云溪市人民正府召开会议")] == ["云溪市人民政府"]
    assert d.entries["云溪市人民正府"].grave
    ctx = make_ctx(typo={"dictionaries": str(tmp_path)})
    assert details(grave_error(html_page("<p>云溪市人民正府召开会议</p>"), ctx)) == [
        "严重表述错误：“云溪市人民正府”应为“云溪市人民政府”"]


def test_automaton_is_built_once():
    assert load_dictionary() is load_dictionary()
    assert typos.load_dictionary(DICTS) is load_dictionary()


def test_gbk_page_typo(ctx):
    page = page_from("gbk_page.html", encoding="gb18030")
    assert details(typo(page, ctx)) == ["错别字：“既往不究”应为“既往不咎”"]
