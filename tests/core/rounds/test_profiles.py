"""Indicator profiles: built-ins, JSON validation, DB copies and versions, editing, xlsx round trip."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from app.core.store import db as dbm
from app.core.rounds import profile_xlsx as px
from app.core.rounds import profiles as pf
from app.core.errors import GovInspectError, ImportFileError, ValidationError


@pytest.fixture
def db():
    database = dbm.memory()
    yield database
    database.close()


@pytest.fixture(scope="module")
def web() -> pf.Profile:
    return pf.builtin_profiles()["national-2019-web"]


@pytest.fixture(scope="module")
def media() -> pf.Profile:
    return pf.builtin_profiles()["national-2019-media"]


# ---------------------------------------------------------------- built-ins

def test_builtin_national_2019(web, media):
    assert (web.set_id, web.target_type, media.set_id, media.target_type) == \
        ("national-2019", "site", "national-2019", "account")
    for item_id in ("web.veto.unreachable", "web.veto.home_not_updated", "web.veto.columns_not_updated.c3",
                    "web.ded.publish.policy_docs", "web.ded.publish.policy_docs.r2", "web.ded.function.availability",
                    "web.ded.function.domain_marks", "web.ded.interaction.messages", "web.ded.publish.accuracy",
                    "web.ded.publish.privacy", "web.bonus"):
        assert web.item(item_id) is not None, item_id
    for item_id in ("nm.veto.security", "nm.veto.not_updated", "nm.veto.interaction_poor"):
        assert media.item(item_id).kind == "veto"
    assert media.part("deduction") is None


def test_builtin_numbers_and_verification(web):
    unreachable = web.item("web.veto.unreachable")
    assert unreachable.params["timeout_seconds"] == 15 and unreachable.params["failure_ratio"] == 0.05
    assert unreachable.verified and "S04" in unreachable.sources
    assert web.part("deduction").points == 100 and web.part("bonus").points == 30
    service = web.item("web.ded.service")
    assert service.points == 25 and service.verified
    publish = web.item("web.ded.publish")
    assert publish.points is not None and not publish.verified          # provisional value, flagged
    assert web.item("web.ded.publish.policy_docs.r1").per_occurrence == 5
    assert web.rule("fail_below").value == 60 and web.rule("fail_below").verified
    assert web.rule("bonus_above").value == 80
    assert web.rule("no_external_service").value["base_points"] == 75
    assert not web.rule("no_double_deduction").verified


def test_every_scored_item_has_a_number(web):
    """Unconfirmed numbers are present with provisional values, never null."""
    for part in (web.part("deduction"), web.part("bonus")):
        for item in part.walk():
            if not item.children:
                assert item.per_occurrence is not None, item.id
            if item.level <= 2:
                assert item.points is not None, item.id


def test_builtin_consistency(web, media):
    assert pf.check_profile(web) == []
    assert pf.check_profile(media) == []
    for profile in (web, media):
        ids = {i.id for i in profile.walk()}
        for targets in profile.problem_map.values():
            assert set(targets) <= ids


def test_resource_files_are_canonical():
    """The shipped JSON is exactly what to_dict writes, so an edit-and-save diff stays small."""
    for path in (pf.resources_dir() / "indicators").glob("*.json"):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert pf.to_dict(pf.from_dict(raw)) == raw, path.name


def test_unverified_lists(web):
    items = pf.unverified_items(web)
    assert "web.ded.publish" in {i.id for i in items}
    assert "web.veto.unreachable" not in {i.id for i in items}
    assert {r.key for r in pf.unverified_rules(web)} >= {"no_double_deduction", "score_decimals"}


def test_json_round_trip(web, media):
    for profile in (web, media):
        assert pf.from_dict(pf.to_dict(profile)) == profile
        assert pf.loads(pf.dumps(profile)) == profile


# ---------------------------------------------------------------- validation

def _broken(web, mutate) -> ValidationError:
    data = pf.to_dict(web)
    mutate(data)
    with pytest.raises(ValidationError) as info:
        pf.from_dict(data)
    return info.value


def test_validation_errors_are_chinese(web):
    def bad_kind(d):
        d["items"][1]["children"][0]["kind"] = "bonus"
    err = _broken(web, bad_kind)
    assert "web.ded.publish" in err.problems and "不一致" in str(err)

    def negative(d):
        d["items"][1]["children"][0]["points"] = -1
    assert "负数" in str(_broken(web, negative))

    def duplicate(d):
        d["items"][1]["children"][1]["id"] = "web.ded.publish"
    assert "重复" in str(_broken(web, duplicate))

    def no_rule(d):
        del d["scoring"]["fail_below"]
    assert "低于此分不合格" in str(_broken(web, no_rule))

    def bad_group(d):
        d["scoring"]["no_double_deduction"]["value"][0]["items"].append("web.veto.unreachable")
    assert "非扣分" in str(_broken(web, bad_group))

    def bad_target(d):
        d["target_type"] = "app"
    assert "适用对象" in _broken(web, bad_target).problems


# ---------------------------------------------------------------- DB copies, versions, sets

def test_save_bumps_version_and_overrides_builtin(db, web):
    edited = pf.edit_number(web, "web.ded.publish", "points", 30, source="原文第3页")
    saved = pf.save_profile(db, edited)
    assert saved.version == "2019.2"
    loaded = pf.load_profile(db, "national-2019-web")
    assert loaded == saved and loaded.item("web.ded.publish").points == 30
    assert pf.save_profile(db, loaded).version == "2019.2"                 # unchanged: no bump
    again = pf.save_profile(db, pf.edit_number(loaded, "web.ded.publish", "points", 31))
    assert again.version == "2019.3"
    info = {i.id: i for i in pf.list_profiles(db)}
    assert info["national-2019-web"].origin == "内置（已修改）" and info["national-2019-media"].origin == "内置"
    assert db.conn.execute("SELECT builtin, version FROM profiles").fetchone() == (1, "2019.3")
    pf.delete_profile(db, "national-2019-web")
    assert pf.load_profile(db, "national-2019-web") == web
    assert db.conn.execute("SELECT COUNT(*) FROM audit_log WHERE table_name = 'profiles'").fetchone()[0] == 3


def test_user_profile_and_sets(db, web):
    from dataclasses import replace
    mine = replace(web, id="city-2025-web", set_id="city-2025", version="1", name="某市网站指标")
    pf.save_profile(db, mine)
    assert pf.profile_set(db, "city-2025") == {"site": pf.load_profile(db, "city-2025-web")}
    assert {i.id: i.origin for i in pf.list_profiles(db)}["city-2025-web"] == "用户"
    national = pf.profile_set(db, "national-2019")
    assert set(national) == {"site", "account"}
    assert pf.profile_set(db, "national-2019-media") == {"account": national["account"]}
    with pytest.raises(GovInspectError, match="未找到指标规则集"):
        pf.profile_set(db, "nowhere")
    with pytest.raises(GovInspectError, match="未找到指标规则集"):
        pf.load_profile(db, "nowhere")


def test_round_snapshot(db):
    text, version = pf.round_snapshot(db, "national-2019")
    assert version == "national-2019-web@2019.1;national-2019-media@2019.1"
    assert pf.profiles_from_snapshot(text) == pf.profile_set(db, "national-2019")
    single = pf.dumps(pf.builtin_profiles()["national-2019-media"])
    assert set(pf.profiles_from_snapshot(single)) == {"account"}


# ---------------------------------------------------------------- editing

def test_edit_number_marks_verified(web):
    assert not web.item("web.ded.function.availability").verified
    edited = pf.edit_number(web, "web.ded.function.availability", "per_occurrence", 1, source="核对")
    item = edited.item("web.ded.function.availability")
    assert item.per_occurrence == 1 and item.verified and item.sources[-1] == "核对"
    assert len(pf.unverified_items(edited)) == len(pf.unverified_items(web)) - 1
    p2 = pf.edit_number(web, "web.veto.service_unpractical.c2", "params.missing_categories_threshold", 4)
    assert p2.item("web.veto.service_unpractical.c2").params["missing_categories_threshold"] == 4
    assert p2.item("web.veto.service_unpractical.c2").params["key_elements"][0] == "事项名称"
    confirmed = pf.confirm_item(web, "web.ded.publish")
    assert confirmed.item("web.ded.publish").verified and confirmed.item("web.ded.publish").points == 25
    with pytest.raises(ValidationError):
        pf.edit_number(web, "web.ded.publish", "points", -2)
    with pytest.raises(ValidationError):
        pf.edit_number(web, "no.such.item", "points", 2)


def test_edit_rule(web):
    edited = pf.edit_rule(web, "score_decimals", 1)
    assert edited.rule("score_decimals").value == 1 and edited.rule("score_decimals").verified
    assert pf.edit_rule(web, "no_double_deduction").rule("no_double_deduction").verified
    with pytest.raises(ValidationError):
        pf.edit_rule(web, "score_decimals", 9)


def test_next_version():
    assert pf.next_version("2019.1") == "2019.2"
    assert pf.next_version("9") == "10"
    assert pf.next_version("v1.0-beta") == "v1.0-beta.1"


# ---------------------------------------------------------------- xlsx

def test_xlsx_round_trip_builtins(tmp_path, web, media):
    for profile in (web, media):
        path = px.export_xlsx(profile, tmp_path / f"{profile.id}.xlsx")
        assert px.import_xlsx(path) == profile


def test_xlsx_round_trip_tricky_values(tmp_path, web):
    p = pf.edit_item(web, "web.ded.publish.news", params={
        "text_number": "14", "semi": "a;b=c", "list": ["在线访谈", "x;y"], "none": None, "flag": False,
        "nested": {"k": [1, 2.5]}, "plain": "动态要闻", "spaces": " padded "},
        notes="=SUM(A1)\n第二行", unit="个栏目")
    p = pf.edit_rule(p, "score_decimals", 3)
    path = px.export_xlsx(p, tmp_path / "t.xlsx")
    back = px.import_xlsx(path)
    assert back == p
    assert back.item("web.ded.publish.news").params["text_number"] == "14"


def test_xlsx_headers_and_layout(tmp_path, web):
    path = px.export_xlsx(web, tmp_path / "w.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["指标", "评分规则", "规则集信息"]
    header = [c.value for c in wb["指标"][1]]
    assert header == ["指标层级", "指标ID", "指标名称", "类型", "分值", "单项上限", "扣分标准(每次)", "单位",
                      "阈值", "已核对", "说明"]
    rows = {r[1]: r for r in wb["指标"].iter_rows(min_row=2, values_only=True)}
    assert rows["web.veto.unreachable"][3] == "单项否决"
    assert "timeout_seconds=15" in rows["web.veto.unreachable"][8]
    assert rows["web.veto.unreachable"][9].startswith("是（S04")
    assert rows["web.ded.publish"][9].startswith("否")


def _edit_cells(tmp_path, web, changes: dict[tuple[str, int, int], object], drop_sheet: str | None = None):
    path = px.export_xlsx(web, tmp_path / "in.xlsx")
    wb = load_workbook(path)
    for (sheet, row, col), value in changes.items():
        wb[sheet].cell(row=row, column=col, value=value)
    if drop_sheet:
        del wb[drop_sheet]
    wb.save(path)
    return path


def test_xlsx_malformed_rows(tmp_path, web):
    path = _edit_cells(tmp_path, web, {
        ("指标", 3, 5): "abc",              # 分值 not a number
        ("指标", 4, 4): "奖励",             # unknown 类型
        ("指标", 5, 9): "threshold",        # 阈值 without '='
        ("指标", 6, 10): "也许",            # 已核对
        ("指标", 7, 1): 5,                  # level jump
        ("指标", 8, 7): -1,                 # negative per-occurrence
        ("评分规则", 2, 3): "{not json",
    })
    with pytest.raises(ValidationError) as info:
        px.import_xlsx(path)
    problems = info.value.problems
    assert "不是数字" in problems["第3行"]
    assert "单项否决/扣分/加分/分组" in problems["第4行"]
    assert "阈值格式错误" in problems["第5行"]
    assert "已核对" in problems["第6行"]
    assert "层级" in problems["第7行"]
    assert "负数" in problems["第8行"]
    assert "JSON" in problems["评分规则第2行"]


def test_xlsx_tree_errors_get_row_numbers(tmp_path, web):
    ded_row = 2 + [i.id for i in web.walk()].index("web.ded.publish")
    path = _edit_cells(tmp_path, web, {("指标", ded_row, 4): "加分"})
    with pytest.raises(ValidationError) as info:
        px.import_xlsx(path)
    assert any(k.startswith(f"第{ded_row}行") for k in info.value.problems)


def test_xlsx_duplicate_id(tmp_path, web):
    path = _edit_cells(tmp_path, web, {("指标", 5, 2): "web.veto.security.c1"})
    with pytest.raises(ValidationError) as info:
        px.import_xlsx(path)
    assert "与第4行重复" in info.value.problems["第5行"]


def test_xlsx_file_errors(tmp_path, web):
    with pytest.raises(ImportFileError, match="缺少工作表"):
        px.import_xlsx(_edit_cells(tmp_path, web, {}, drop_sheet="评分规则"))
    with pytest.raises(ImportFileError, match="缺少列"):
        px.import_xlsx(_edit_cells(tmp_path, web, {("指标", 1, 2): "编号"}))
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ImportFileError, match="不是有效的"):
        px.import_xlsx(junk)
    with pytest.raises(ImportFileError, match="找不到文件"):
        px.import_xlsx(tmp_path / "missing.xlsx")


def test_params_codec():
    params = {"a": 1, "b": 0.05, "c": True, "d": "文本", "e": "7", "f": [1, "x"], "g": None}
    assert px.decode_params(px.encode_params(params)) == params
    assert px.decode_params("window_days＝14；threshold=5") == {"window_days": 14, "threshold": 5}
    with pytest.raises(ValueError):
        px.decode_params('a=["x"')
    assert json.loads(json.dumps(px.decode_params(""))) == {}
