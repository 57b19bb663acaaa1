"""What the export options offer before any export code is loaded: the annex families (key and
label, in their usual order) and the default table fonts.

Plain constants, free of openpyxl and the database, so that the CLI can show them in its help
without importing the exports package; ``exports.annex_data`` and ``xlsx`` take them from here.
"""
from __future__ import annotations

ANNEX_LABELS = {
    "summary": "地区汇总",
    "problems": "问题清单",
    "details": "检查结果与扣分明细",
    "platforms": "平台合格率",
    "messages": "找错留言统计",
    "activity": "新媒体发布情况统计",
}
FAMILIES = tuple(ANNEX_LABELS)

TEXT_FONT = "仿宋_GB2312"
NUMBER_FONT = "Arial"              # figures read better in a sans font than in 仿宋
