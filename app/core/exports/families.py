"""What the export options offer before any export code is loaded: the annex families (key and
label, in their usual order).

Plain constants, free of openpyxl and the database, so that the CLI can show them in its help
without loading the export code; ``exports.annex_data`` takes them from here.
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
