"""RegistryTableModel and RegistryFilterProxy: Qt contract, roles, filters, speed."""
from __future__ import annotations


import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.core.registry import registry
from app.ui.table_models.registry_model import ID_ROLE, SORT_ROLE, RegistryTableModel, SiteColumn
from app.ui.table_models.registry_proxy import RUNNING_ONLY, STOPPED_ONLY, RegistryFilterProxy


def _model(db, kind):
    model = RegistryTableModel(kind)
    model.set_records(registry.list_records(db, kind))
    proxy = RegistryFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


@pytest.mark.parametrize("kind", ["site", "account"])
def test_model_passes_qt_model_tester(qtmodeltester, filled_db, kind):
    model, proxy = _model(filled_db, kind)
    qtmodeltester.check(model)
    proxy.set_search("东湖")
    qtmodeltester.check(proxy)


def test_roles_and_greyed_closed_rows(filled_db):
    model, _ = _model(filled_db, "site")
    names = [model.index(r, SiteColumn.NAME).data() for r in range(model.rowCount())]
    closed = names.index("西湖区文化旅游局网站")
    assert model.index(closed, SiteColumn.STATUS).data() == "关停"
    assert model.index(closed, SiteColumn.STATUS_DATE).data() == "2025-03-01"
    assert model.index(closed, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert isinstance(model.index(0, 0).data(ID_ROLE), int)
    # 地区 sorts by registry order of regions, not by the characters of the name.
    assert isinstance(model.index(0, SiteColumn.REGION).data(SORT_ROLE), int)
    assert model.headerData(SiteColumn.SITE_CODE, Qt.Orientation.Horizontal) == "网站标识码"


def test_filters_combine(filled_db):
    _, proxy = _model(filled_db, "site")
    assert proxy.rowCount() == 7 and not proxy.is_filtered
    proxy.set_search("教育")
    assert proxy.rowCount() == 2
    proxy.set_region("西湖区")
    assert proxy.rowCount() == 1
    proxy.set_search("")
    proxy.set_group("乡镇街道网站")
    assert proxy.rowCount() == 1
    proxy.set_group(None)
    proxy.set_status("关停")
    assert proxy.rowCount() == 1
    proxy.set_status(STOPPED_ONLY)
    assert proxy.rowCount() == 1
    proxy.set_status(RUNNING_ONLY)
    assert proxy.rowCount() == 3
    proxy.set_region(None)
    proxy.set_status(None)
    # Several words: all must match, in any field (标识码, 单位 …).
    proxy.set_search("3601030002")
    assert proxy.rowCount() == 1
    proxy.set_search("西湖 办公室")
    assert proxy.rowCount() == 1


def test_upsert_updates_one_row_and_refilters(filled_db, qtbot):
    model, proxy = _model(filled_db, "site")
    proxy.set_search("东湖")
    assert proxy.rowCount() == 3
    record = registry.list_records(filled_db, "site")[0]
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.upsert_record({**record, "name": "改名", "region": "西湖区", "host_unit": "西湖区某局"})
    assert proxy.rowCount() == 2          # no longer matches the search
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):
        model.upsert_record({**record, "id": 999, "name": "东湖新站"})
    assert model.rowCount() == 8 and proxy.rowCount() == 3


def test_sorting_pinyin_and_back_to_registry_order(filled_db, qtmodeltester):
    model, proxy = _model(filled_db, "site")
    natural = [model.index(r, 0).data() for r in range(model.rowCount())]
    proxy.sort(SiteColumn.NAME, Qt.SortOrder.AscendingOrder)
    names = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert names[0].startswith("东湖") and names[-1] == "西湖区文化旅游局网站"   # d… before x…
    proxy.sort(SiteColumn.REGION, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, SiteColumn.REGION).data() == "西湖区"
    qtmodeltester.check(proxy)
    proxy.sort(-1)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == natural


def _synthetic(n):
    regions = ["东湖区", "西湖区", "青山区", "新港区", "临川县", "南丰县", "石城县", "高新区"]
    units = ["人民政府", "教育局", "卫生健康委", "自然资源局", "交通运输局", "财政局", "公安局"]
    out = []
    for i in range(n):
        region = regions[i % len(regions)]
        unit = f"{region}{units[i % len(units)]}"
        out.append({"id": i + 1, "name": f"{unit}网站{i}", "site_code": f"36{i:08d}",
                    "url": f"http://s{i}.example.gov.cn/", "host_unit": unit, "supervisor_unit": "",
                    "region": region, "region_order": i % len(regions), "category": "县级部门网站",
                    "status": "关停" if i % 13 == 0 else "正常", "status_date": None,
                    "contact1_name": "张三", "contact1_phone": "13800000000", "notes": ""})
    return out


def test_search_keystroke_over_5000_rows_filters_a_sorted_view(qtbot):
    """Typing and deleting over 5,000 sorted rows filters as it goes (the speed of each keystroke
    is measured by bench/registry_scale.py, not here: timings in unit tests only flake)."""
    model = RegistryTableModel("site")
    model.set_records(_synthetic(5000))
    proxy = RegistryFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(SiteColumn.NAME, Qt.SortOrder.AscendingOrder)   # the slow case for a proxy sort
    qtbot.addWidget(view)
    view.show()
    records = _synthetic(5000)
    first = proxy.index(0, SiteColumn.NAME).data()
    for text in ["东", "东湖", "东湖区", "东湖区教", "东湖区教育", "东湖区教", "东湖", "网站1", "网站12", ""]:
        proxy.set_search(text)
        shown = {proxy.index(r, SiteColumn.NAME).data() for r in range(proxy.rowCount())}
        assert shown == {r["name"] for r in records if text in r["name"]}, text
    assert proxy.rowCount() == 5000 and proxy.index(0, SiteColumn.NAME).data() == first    # same sorted order
