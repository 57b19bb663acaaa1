"""地区结构 dialog: edit 排序 and 分组 in place (rows move), a bad value is said and not written,
a bad import file is refused whole."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

from app.core.registry import regions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "exports"))
from circularsetup import REGION_HEADERS, write_csv  # noqa: E402


def test_regions_dialog_edits_and_imports(qtbot, db, tmp_path, qtmodeltester):
    from app.ui.dialogs.regions_dialog import RegionsDialog
    db.conn.executemany("INSERT INTO regions(name, sort_order) VALUES (?, ?)", [("甲区", 1), ("乙区", 2)])
    dialog = RegionsDialog(db)
    qtbot.addWidget(dialog)
    model = dialog.model
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["甲区", "乙区"]
    assert model.setData(model.index(0, 3), "9", Qt.ItemDataRole.EditRole)       # 甲区 last now
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["乙区", "甲区"]
    assert model.setData(model.index(0, 1), "区县", Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(0, 2), "国", Qt.ItemDataRole.EditRole)
    assert "未知的级别" in dialog.message.text()
    assert [(r["name"], r["group_name"], r["sort_order"]) for r in regions.list_regions(db)] == \
        [("乙区", "区县", 2), ("甲区", None, 9)]
    bad = write_csv(tmp_path / "r.csv", REGION_HEADERS, [["丙区", "", "", "x"]])
    assert not dialog.import_file(bad) and "第2行 排序" in dialog.message.text()
    good = write_csv(tmp_path / "g.csv", REGION_HEADERS, [["丙区", "区县", "县", 0]])
    assert dialog.import_file(good) and model.index(0, 0).data() == "丙区"
