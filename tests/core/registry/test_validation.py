"""Field validation: every registry field kind, with the values offices really type."""
import datetime as dt

import pytest

from app.core.registry import fields, validation as v, vocab


@pytest.mark.parametrize("raw,expected", [
    ("2101000001", "2101000001"),
    (2101000001, "2101000001"),          # Excel numeric cell
    (2101000001.0, "2101000001"),
    (" 2101000001 ", "2101000001"),
    ("bm12345678", "bm12345678"),
    ("BM12345678", "bm12345678"),        # State Council departments, any case
])
def test_site_code_accepts(raw, expected):
    assert v.site_code(raw) == expected


@pytest.mark.parametrize("raw,fragment", [
    ("210100001", "10位数字，实际为9位"),
    ("21010000011", "实际为11位"),
    ("9901000001", "前两位"),
    ("bm1234567", "格式不正确"),
    ("21010A0001", "格式不正确"),
    ("", "不能为空"),
])
def test_site_code_rejects(raw, fragment):
    with pytest.raises(v.BadValue) as exc:
        v.site_code(raw)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("raw,expected", [
    ("www.yunxi.example.gov.cn", "http://www.yunxi.example.gov.cn/"),
    ("https://WWW.YUNXI.EXAMPLE.GOV.CN/index.html", "https://www.yunxi.example.gov.cn/index.html"),
    ("http://127.0.0.1:8080/a?b=1", "http://127.0.0.1:8080/a?b=1"),
    ("http://政府.政务/", "http://政府.政务/"),
])
def test_url_accepts(raw, expected):
    assert v.url(raw) == expected


@pytest.mark.parametrize("raw", ["www.a .gov.cn", "ftp://x.gov.cn", "http://", "localhost", "http://x.gov.cn:99999/",
                                 "http://-bad-.example.gov.cn"])
def test_url_rejects(raw):
    with pytest.raises(v.BadValue):
        v.url(raw)


def test_url_optional_empty():
    assert v.url("", required=False) == ""
    with pytest.raises(v.BadValue):
        v.url("")


@pytest.mark.parametrize("raw,expected", [
    ("2025-08-14", "2025-08-14"), ("2025/8/14", "2025-08-14"), ("2025.08.14", "2025-08-14"),
    ("2025年8月14日", "2025-08-14"), ("20250814", "2025-08-14"), (dt.datetime(2025, 8, 14, 9, 30), "2025-08-14"),
    (45883, "2025-08-14"), ("2025-08-14 10:00:00", "2025-08-14"), ("", None),
])
def test_dates(raw, expected):
    assert v.date(raw) == expected


@pytest.mark.parametrize("raw", ["2025-02-30", "14/08/2025", "明天"])
def test_bad_dates(raw):
    with pytest.raises(v.BadValue):
        v.date(raw)


@pytest.mark.parametrize("raw", ["13800138000", "024-22345678", "(024)22345678", "0791-8888888-123", "12345",
                                 "13800138000；024-22345678"])
def test_phone_accepts(raw):
    assert v.phone(raw)


@pytest.mark.parametrize("raw", ["1380013800", "12800138000", "电话", "024-123"])
def test_phone_rejects(raw):
    with pytest.raises(v.BadValue):
        v.phone(raw)


def test_email():
    assert v.email("web@sy.gov.cn") == "web@sy.gov.cn"
    with pytest.raises(v.BadValue):
        v.email("web@")


def test_vocab_aliases():
    assert vocab.normalise_category("县级门户（含高新区）") == "县级门户(含开发区/高新区)"
    assert vocab.normalise_category("市级部门网站") == "市级部门网站"
    assert vocab.normalise_category("市级门户网站") == "市级门户"
    assert vocab.normalise_category("企业网站") is None
    assert vocab.normalise_platform("微信") == "微信公众号"
    assert vocab.normalise_platform("B站") == "哔哩哔哩"
    assert vocab.normalise_platform("推特") is None
    assert vocab.normalise_site_status("已关停") == "关停"
    assert vocab.normalise_account_status("已注销") == "注销"
    assert vocab.parse_flag("是") is True and vocab.parse_flag("否") is False and vocab.parse_flag("也许") is None


SITE = {"name": "江州市教育局网站", "site_code": "3699000002", "url": "jyj.jiangzhou.gov.cn",
        "host_unit": "江州市教育局", "region": "市直部门", "category": "市级部门网站"}


def test_clean_site_defaults_and_derivations():
    c = fields.clean_record("site", SITE)
    assert not c.problems
    assert c.values["level"] == "市" and c.values["is_portal"] == 0
    assert c.values["url"] == "http://jyj.jiangzhou.gov.cn/"


def test_clean_site_every_problem_reported():
    raw = {**SITE, "site_code": "12", "category": "企业", "status": "暂停", "contact1_email": "x@", "opened_on": "昨天"}
    del raw["name"]
    c = fields.clean_record("site", raw)
    assert set(c.problems) == {"网站名称", "网站标识码", "网站类别", "运行状态", "联系人1邮箱", "开设日期"}


def test_level_category_conflict_and_domain_warning():
    c = fields.clean_record("site", {**SITE, "level": "县", "url": "www.jyj.com"})
    assert "级别" in c.problems
    assert "首页网址" in c.warnings and ".gov.cn" in c.warnings["首页网址"]


def test_closed_without_date_warns():
    c = fields.clean_record("site", {**SITE, "status": "关停"})
    assert "状态日期" in c.warnings and not c.problems


def test_clean_account():
    c = fields.clean_record("account", {"name": "江州发布", "platform": "微信", "host_unit": "江州市政府办",
                                         "region": "市直部门", "filed": "否", "home_url": ""})
    assert not c.problems
    assert c.values["platform"] == "微信公众号" and c.values["filed"] == 0
    bad = fields.clean_record("account", {"name": "x", "platform": "推特", "host_unit": "u", "region": "r"})
    assert "平台" in bad.problems


def test_header_aliases():
    m = fields.match_headers("site", ["序号", "标识码", "网址", "网站名称", "区/部门", "类别", "主办单位"])
    assert m == {1: "site_code", 2: "url", 3: "name", 4: "region", 5: "category", 6: "host_unit"}
    m = fields.match_headers("account", ["新媒体名称", "账号类型", "原始ID", "部门"])
    assert m == {0: "name", 1: "platform", 2: "account_id", 3: "region"}


@pytest.mark.parametrize("value", [
    "http://www.example.gov.cn/a.html", "HTTPS://example.org:8443/x?y=1#z", "http://127.0.0.1:8080/",
    "http://[::1]:8080/a",
])
def test_web_link_accepts_plain_http_links(value):
    assert v.web_link(value) == value


@pytest.mark.parametrize("value", [
    "file:///C:/Windows/System32/calc.exe", "ms-msdt:/id PCWDiagnostic", "javascript:alert(1)",
    "C:\\Windows\\System32\\calc.exe", "www.example.gov.cn/a.html", "http://", "http://exa mple.org/",
    "http://example.org/\x00x", "http://user:pw@example.org/", "http://example.org:port/", "", None,
    "\\\\server\\share\\x.exe", "search-ms:query=x",
])
def test_web_link_refuses_everything_else(value):
    assert v.web_link(value) is None
