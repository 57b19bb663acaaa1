"""An import template for findings: the columns ``findings import`` reads, an example per target
type, a sheet of notes and the indicators of a rule set (the newcomer's first vendor file)."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..office.xlsx import put, write_table
from ..registry import vocab
from .finding_io import IMPORT_COLUMNS
from .findings import STATUSES
from .profiles import KIND_ZH, TARGET_ZH, Profile

SHEET = "问题清单"
# (column key, width, required?, what to write); order = the template's columns.
COLUMNS = [
    ("target_key", 16, "网站必填", "网站：10位网站标识码（或 bm 开头的部门标识码）。新媒体账号可不填，改填平台和账号名称"),
    ("platform", 12, "新媒体必填", f"新媒体平台，如{'、'.join(vocab.PLATFORMS[:4])}"),
    ("account_name", 18, "新媒体必填", "账号名称，与名录一致；同一平台有同名账号时改填网站标识码列的对象标识（平台:账号名称）"),
    ("indicator", 28, "必填", "指标编号（见“指标”表，如 web.ded.publish.accuracy）或指标中文名称"),
    ("detail", 36, "建议填写", "问题描述：发现了什么、在哪里"),
    ("count", 8, "选填", "问题数量，正整数，默认 1"),
    ("url", 34, "建议填写", "问题所在页面或链接，复核整改时打开它"),
    ("status", 10, "选填", f"审核状态：{'、'.join(STATUSES)}；不填为“确认”"),
    ("kind", 12, "选填", "问题类型（自由文字，如 错别字、链接失效）"),
    ("page", 20, "选填", "页面标题"),
    ("snippet", 24, "选填", "原文片段，如错别字所在的句子"),
    ("reviewer_note", 20, "选填", "审核备注"),
]
EXAMPLES = [
    {"target_key": "3699020001", "indicator": "web.ded.publish.accuracy", "detail": "错别字：“部署”误为“布署”",
     "count": 1, "url": "https://www.example.gov.cn/xwzx/202508/t20250812_1.html", "status": "确认",
     "kind": "错别字", "snippet": "认真布署落实"},
    {"platform": "微信公众号", "account_name": "江州发布", "indicator": "内容不更新",
     "detail": "最近发布日期 2025-07-20，监测时间点前2周内无更新", "status": "待审核"},
]
_EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")


def headers() -> list[str]:
    """The template's header row (the first accepted name of each column)."""
    return [IMPORT_COLUMNS[key][0] for key, *_ in COLUMNS]


def _main_sheet(ws, examples: list[dict]) -> None:
    bold = Font(bold=True)
    for c, (key, width, required, _note) in enumerate(COLUMNS, start=1):
        cell = put(ws.cell(1, c), IMPORT_COLUMNS[key][0])
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    for r, example in enumerate(examples, start=2):
        for c, (key, *_rest) in enumerate(COLUMNS, start=1):
            put(ws.cell(r, c), example.get(key)).fill = _EXAMPLE_FILL
    ws.freeze_panes = "A2"
    last = 1000
    for key, values in (("status", STATUSES), ("platform", vocab.PLATFORMS)):
        col = next(i for i, (k, *_r) in enumerate(COLUMNS, start=1) if k == key)
        letter = ws.cell(1, col).column_letter
        check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        check.error, check.errorTitle = f"请从列表中选择：{'、'.join(values)}", "取值不在列表中"
        ws.add_data_validation(check)
        check.add(f"{letter}2:{letter}{last}")


def _indicator_rows(profiles: dict[str, Profile]):
    for target_type in ("site", "account"):
        profile = profiles.get(target_type)
        if profile is None:
            continue
        for item in profile.walk():
            if item.level >= 1:
                yield (item.id, "　" * (item.level - 1) + item.name, TARGET_ZH[target_type],
                       KIND_ZH.get(item.kind, item.kind))


def write_template(path: Path | str, profiles: dict[str, Profile]) -> Path:
    """Write the template to ``path`` (.xlsx): 问题清单 with two example rows (to delete), 填写说明,
    and 指标 (every indicator of ``profiles`` with its id)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _main_sheet(ws, EXAMPLES)
    notes = [(IMPORT_COLUMNS[key][0], required, note, "、".join(IMPORT_COLUMNS[key][1:]))
             for key, _w, required, note in COLUMNS]
    write_table(wb.create_sheet("填写说明"), "问题导入模板填写说明", ("列名", "是否必填", "填写要求", "也可写作"), notes,
                widths=(14, 12, 60, 36),
                subtitle="黄色为示例行，填写前请删除。导入：python -m app findings import 轮次 本文件.xlsx；"
                         "任何一行有误则整表不导入，并逐条列出“第N行 列：原因”。")
    write_table(wb.create_sheet("指标"), "可用的指标", ("指标编号", "指标名称", "适用对象", "类型"),
                _indicator_rows(profiles), widths=(36, 60, 12, 10))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
