"""Indicator profiles to and from .xlsx (lossless round trip; row-numbered Chinese errors).

Sheets: 指标 (one row per item, outline order; 指标层级 gives the tree), 评分规则
(one row per scoring rule, value as JSON) and 规则集信息 (id, version, name …).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..errors import ImportFileError, ValidationError
from . import profiles as pf

ITEM_SHEET, RULE_SHEET, INFO_SHEET = "指标", "评分规则", "规则集信息"
ITEM_HEADERS = ["指标层级", "指标ID", "指标名称", "类型", "分值", "单项上限", "扣分标准(每次)", "单位",
                "阈值", "已核对", "说明"]
ITEM_WIDTHS = [8, 36, 44, 9, 7, 9, 13, 8, 40, 16, 60]
RULE_HEADERS = ["规则键", "规则名称", "值", "已核对", "说明"]
INFO_ROWS = [("id", "规则集ID"), ("set_id", "所属规则集"), ("version", "版本"), ("name", "名称"),
             ("target_type", "适用对象"), ("document", "依据文件"), ("notes", "说明"), ("problem_map", "问题类别对应")]
_KIND_FROM = {**{v: k for k, v in pf.KIND_ZH.items()}, **{k: k for k in pf.KINDS}, "否决": "veto"}
_TARGET_FROM = {**{v: k for k, v in pf.TARGET_ZH.items()}, **{k: k for k in pf.TARGET_TYPES}, "新媒体": "account"}
_YES = {"是", "已核对", "true", "yes", "y", "1", "√"}
_NO = {"否", "未核对", "false", "no", "n", "0", "×", ""}
_VERIFIED = re.compile(r"^\s*([^（(]*?)\s*(?:[（(](.*)[)）])?\s*$", re.S)


# ---------------------------------------------------------------- cell encodings

def encode_params(params: dict) -> str:
    """{'window_days': 14, 'types': ['a']} -> 'window_days=14;types=["a"]' (strings quoted only if needed)."""
    parts = []
    for key, value in params.items():
        if isinstance(value, str):
            plain = value and value == value.strip() and not re.search(r'[;；=＝"\[\]{}]', value)
            try:
                json.loads(value)
                plain = False          # would read back as a number/bool/null
            except ValueError:
                pass
            text = value if plain else json.dumps(value, ensure_ascii=False)
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return ";".join(parts)


def _split_top(text: str) -> list[str]:
    """Split on ; or ； outside quotes and brackets."""
    out, buf, depth, quoted, escaped = [], [], 0, False, False
    for ch in text:
        if quoted:
            buf.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch in ";；" and depth == 0:
            out.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    if quoted or depth:
        raise ValueError("引号或括号不配对")
    out.append("".join(buf))
    return out


def decode_params(text: str) -> dict:
    """Inverse of encode_params; raises ValueError with a Chinese reason."""
    params: dict = {}
    for token in _split_top(text or ""):
        token = token.strip()
        if not token:
            continue
        key, sep, raw = token.replace("＝", "=", 1).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"“{token}”不是 键=值 形式")
        if key in params:
            raise ValueError(f"键“{key}”重复")
        raw = raw.strip()
        try:
            params[key] = json.loads(raw)
        except ValueError:
            if raw.startswith(('"', "[", "{")):
                raise ValueError(f"“{raw}”不是有效的值") from None
            params[key] = raw
    return params


def encode_verified(verified: bool, sources: tuple[str, ...]) -> str:
    mark = "是" if verified else "否"
    return f"{mark}（{'、'.join(sources)}）" if sources else mark


def decode_verified(value) -> tuple[bool, tuple[str, ...]]:
    text = pf_text(value)
    m = _VERIFIED.match(text)
    mark = (m[1] if m else text).strip().lower()
    if mark in _YES:
        verified = True
    elif mark in _NO:
        verified = False
    else:
        raise ValueError(f"已核对“{text}”应为“是”或“否”，可在括号内注明来源，如“是（S04、S07）”")
    sources = tuple(s.strip() for s in re.split(r"[、,，;；]", m[2] or "") if s.strip()) if m else ()
    return verified, sources


def pf_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value, label: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}“{value}”不是数字")
    if isinstance(value, (int, float)):
        number = value
    else:
        try:
            number = pf.parse_number(str(value))
        except ValueError:
            raise ValueError(f"{label}“{value}”不是数字") from None
    if number < 0:
        raise ValueError(f"{label}不能为负数（{value}）")
    return int(number) if isinstance(number, float) and number.is_integer() else number


# ---------------------------------------------------------------- export

def _put(ws, row: int, col: int, value):
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"          # never let a leading '=' become a formula
    return cell


def _header(ws, headers: list[str], widths: list[int]) -> None:
    for col, (h, w) in enumerate(zip(headers, widths), start=1):
        _put(ws, 1, col, h).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = w
    ws.freeze_panes = "A2"


def export_xlsx(profile: pf.Profile, path: Path | str) -> Path:
    """Write the profile as an .xlsx workbook (three sheets)."""
    wb = Workbook()
    ws = wb.active
    ws.title = ITEM_SHEET
    _header(ws, ITEM_HEADERS, ITEM_WIDTHS)
    for r, it in enumerate(profile.walk(), start=2):
        values = [it.level, it.id, it.name, pf.KIND_ZH[it.kind], it.points, it.cap, it.per_occurrence,
                  it.unit or None, encode_params(it.params) or None, encode_verified(it.verified, it.sources),
                  it.notes or None]
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v)
        ws.cell(row=r, column=3).alignment = Alignment(indent=it.level)
    rs = wb.create_sheet(RULE_SHEET)
    _header(rs, RULE_HEADERS, [28, 24, 60, 20, 60])
    for r, rule in enumerate(profile.rules, start=2):
        values = [rule.key, pf.RULE_ZH.get(rule.key, ""), json.dumps(rule.value, ensure_ascii=False),
                  encode_verified(rule.verified, rule.sources), rule.notes or None]
        for c, v in enumerate(values, start=1):
            _put(rs, r, c, v)
    info = wb.create_sheet(INFO_SHEET)
    _header(info, ["项目", "值"], [14, 80])
    values = {"id": profile.id, "set_id": profile.set_id, "version": profile.version, "name": profile.name,
              "target_type": pf.TARGET_ZH[profile.target_type], "document": profile.document,
              "notes": profile.notes, "problem_map": json.dumps(profile.problem_map, ensure_ascii=False)}
    for r, (key, label) in enumerate(INFO_ROWS, start=2):
        _put(info, r, 1, label)
        _put(info, r, 2, values[key] or None)
    path = Path(path)
    wb.save(path)
    return path


# ---------------------------------------------------------------- import

MAX_ROWS = 20_000                          # a rule set has a few hundred rows


class _Sheet:
    """A sheet of the workbook as its rows are present (streamed: never its declared size)."""

    def __init__(self, book, ref):
        self.book, self.ref, self.title = book, ref, ref.name

    def rows(self, min_row: int = 1):
        """(row number, values by column) of the rows present from ``min_row`` on."""
        from ..office.xlsx_read import row_values
        rows = self.book.rows(self.ref).rows
        try:
            for n, (r, cells) in enumerate(rows):
                if n > MAX_ROWS:
                    raise ImportFileError(f"工作表“{self.title}”超过 {MAX_ROWS} 行，不像是指标体系文件。")
                if r >= min_row:
                    yield r, row_values(cells)
        finally:
            rows.close()


def _sheet(book, name: str) -> _Sheet:
    ref = next((s for s in book.sheets if s.name == name), None)
    if ref is None:
        raise ImportFileError(f"文件中缺少工作表“{name}”（应有：{ITEM_SHEET}、{RULE_SHEET}、{INFO_SHEET}）。")
    return _Sheet(book, ref)


def _columns(ws, headers: list[str], required: list[str]) -> dict[str, int]:
    first = next((values for r, values in ws.rows() if r == 1), ())
    found = {}
    for idx, cell in enumerate(first):
        text = re.sub(r"\s", "", pf_text(cell))
        for h in headers:
            if h not in found and text.startswith(h):
                found[h] = idx
    missing = [h for h in required if h not in found]
    if missing:
        raise ImportFileError(f"工作表“{ws.title}”第1行缺少列：{'、'.join(missing)}。")
    return found


def _read_items(ws, problems: dict) -> tuple[list[dict], dict[str, int]]:
    cols = _columns(ws, ITEM_HEADERS, ITEM_HEADERS[:4])
    roots: list[dict] = []
    stack: list[dict] = []
    rows: dict[str, int] = {}
    for r, values in ws.rows(2):
        cell = {h: (values[i] if i < len(values) else None) for h, i in cols.items()}
        if all(v is None or pf_text(v) == "" for v in cell.values()):
            continue
        where, errs = f"第{r}行", []
        try:
            level = _number(cell["指标层级"], "指标层级")
            if level is None or level != int(level):
                raise ValueError
            level = int(level)
        except ValueError:
            errs.append(f"指标层级“{pf_text(cell['指标层级'])}”应为0、1、2…的整数")
            level = -1
        kind = _KIND_FROM.get(pf_text(cell["类型"]))
        if kind is None:
            errs.append(f"类型“{pf_text(cell['类型'])}”应为 单项否决/扣分/加分/分组")
        node = {"id": pf_text(cell["指标ID"]), "name": pf_text(cell["指标名称"]), "kind": kind or "group"}
        for header, key in (("分值", "points"), ("单项上限", "cap"), ("扣分标准(每次)", "per_occurrence")):
            try:
                number = _number(cell.get(header), header)
            except ValueError as exc:
                errs.append(str(exc))
            else:
                if number is not None:
                    node[key] = number
        node["unit"] = pf_text(cell.get("单位"))
        try:
            node["params"] = decode_params(pf_text(cell.get("阈值")))
        except ValueError as exc:
            errs.append(f"阈值格式错误：{exc}（应为 键=值;键=值）")
        try:
            node["verified"], node["sources"] = decode_verified(cell.get("已核对"))
        except ValueError as exc:
            errs.append(str(exc))
        notes = cell.get("说明")
        node["notes"] = notes if isinstance(notes, str) else pf_text(notes)   # text kept exactly
        if not node["id"]:
            errs.append("指标ID不能为空")
        elif node["id"] in rows:
            errs.append(f"指标ID“{node['id']}”与第{rows[node['id']]}行重复")
        if level >= 0:
            if level > len(stack):
                errs.append(f"指标层级{level}不能直接跟在层级{len(stack) - 1}之后" if stack
                            else "第一个指标的层级应为0")
            else:
                del stack[level:]
                node["level"] = level
                (stack[-1].setdefault("children", []) if stack else roots).append(node)
                stack.append(node)
        if errs:
            pf.add_problem(problems, where, "；".join(errs))
        elif node["id"]:
            rows[node["id"]] = r
    return roots, rows


def _read_rules(ws, problems: dict) -> dict:
    cols = _columns(ws, RULE_HEADERS, ["规则键", "值"])
    rules = {}
    for r, values in ws.rows(2):
        get = lambda h: values[cols[h]] if h in cols and cols[h] < len(values) else None  # noqa: E731
        key = pf_text(get("规则键"))
        if not key:
            continue
        where = f"{RULE_SHEET}第{r}行"
        try:
            value = json.loads(pf_text(get("值")) or "null")
        except ValueError:
            pf.add_problem(problems, where, f"值“{pf_text(get('值'))}”不是有效的 JSON")
            continue
        try:
            verified, sources = decode_verified(get("已核对"))
        except ValueError as exc:
            pf.add_problem(problems, where, str(exc))
            continue
        notes = get("说明")
        rules[key] = {"value": value, "verified": verified, "sources": list(sources),
                      "notes": notes if isinstance(notes, str) else pf_text(notes)}
    return rules


def _read_info(ws, problems: dict) -> dict:
    labels = {label: key for key, label in INFO_ROWS}
    info: dict = {}
    for r, values in ws.rows(2):
        key = labels.get(pf_text(values[0] if values else None))
        if key:
            raw = values[1] if len(values) > 1 else None
            info[key] = raw if isinstance(raw, str) and key == "notes" else pf_text(raw)
    if "target_type" in info:
        target = _TARGET_FROM.get(info["target_type"])
        if target is None:
            pf.add_problem(problems, f"{INFO_SHEET}·适用对象", f"“{info['target_type']}”应为“网站”或“新媒体账号”")
        info["target_type"] = target
    try:
        info["problem_map"] = json.loads(info.get("problem_map") or "{}")
    except ValueError:
        pf.add_problem(problems, f"{INFO_SHEET}·问题类别对应", "不是有效的 JSON")
    return info


def import_xlsx(path: Path | str) -> pf.Profile:
    """Read a workbook written by export_xlsx (or edited by hand) back into a Profile."""
    path = Path(path)
    from ..office.xlsx_read import XlsxBook, XlsxError
    if not path.is_file():
        raise ImportFileError(f"找不到文件“{path}”。")
    try:
        wb = XlsxBook(path)
    except (XlsxError, OSError) as exc:
        raise ImportFileError(f"无法读取“{path.name}”：不是有效的 .xlsx 文件（{exc}）。") from exc
    try:
        problems: dict[str, str] = {}
        items, rows = _read_items(_sheet(wb, ITEM_SHEET), problems)
        rules = _read_rules(_sheet(wb, RULE_SHEET), problems)
        info = _read_info(_sheet(wb, INFO_SHEET), problems)
    except XlsxError as exc:
        raise ImportFileError(f"无法读取“{path.name}”：{exc}。") from exc
    finally:
        wb.close()
    if problems:
        raise ValidationError(problems)
    try:
        return pf.from_dict({**info, "items": items, "scoring": rules})
    except ValidationError as exc:
        located = {}
        for key, msg in exc.problems.items():
            base = key.split("·")[0]
            pf.add_problem(located, f"第{rows[base]}行（{base}）" if base in rows else key, msg)
        raise ValidationError(located) from None
