"""Export profiles on the 导出 page: the page's choices as an ExportProfile (saved as .json, read by
``export --profile``) and a loaded profile shown in the page's forms. GUI thread only."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from app.core.exports.options import ExportProfile, load_profile, save_profile

GENERAL_FIELDS = ("area", "period", "subtitle", "rate_decimals", "message_rate_decimals", "short_platforms",
                  "category_names", "messages_from", "messages_to")
CIRCULAR_LABELS = {
    "issuer": "发文单位（空：留待填写）",
    "addressees": "主送",
    "doc_number": "文号（如 川办便函〔2025〕368号）",
    "issue_date": "成文日期（空：今天）",
    "deadline": "整改截止日期（空：成文日期后若干工作日）",
    "deadline_workdays": "整改期限（工作日）",
    "max_names": "每类问题最多列出名称（0：全部）",
    "cite_basis": "开头引用国办秘函〔2019〕19号",
    "year_overview": "加“全年总体情况”（本年度各轮次合计）",
    "embed_annexes": "正文后附附件表格",
    "template": "Word 模板（空：内置模板）",
}


def page_profile(page) -> ExportProfile:
    """What the page would export, as a profile (the round is not part of it)."""
    general = page.general_form.value()
    options = dataclasses.replace(general, style=page.style_form.value(),
                                  **{key: form.value() for key, form in page.family_forms.items()})
    return ExportProfile(families=page.families(), circular=page.circular_box.isChecked(), options=options,
                         circular_options=page.circular_form.value())


def show_profile(page, profile: ExportProfile) -> None:
    """Set every form of the page from a profile; the preview follows."""
    for key, box in page.family_boxes.items():
        box.setChecked(key in profile.families)
    page.general_form.set_value(profile.options)
    page.style_form.set_value(profile.options.style)
    for key, form in page.family_forms.items():
        form.set_value(getattr(profile.options, key))
    page.circular_box.setChecked(profile.circular)
    page.circular_form.set_value(profile.circular_options)


def save_page_profile(page, path: Path | str) -> Path:
    return save_profile(page_profile(page), path)


def load_page_profile(page, path: Path | str) -> ExportProfile:
    """Read a profile (GovInspectError with a Chinese message if it is not one) and show it."""
    profile = load_profile(path)
    show_profile(page, profile)
    return profile
