"""File names and text that office files and file systems accept."""
from __future__ import annotations

import pytest

from app.core.office.names import MAX_NAME_BYTES, safe_filename, xml_text


@pytest.mark.parametrize("text, expected", [
    ("江州市/民政局:网站*", "江州市_民政局_网站"),
    ("东湖\x00区\x07单位", "东湖_区_单位"),
    ("  . 前后空白与点 .  ", "前后空白与点"),
    ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("", "未命名"), (None, "未命名"),
])
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


def test_long_names_are_shortened_on_a_character_boundary():
    name = safe_filename("某某某委员会办公室" * 20)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES + len("…".encode("utf-8"))
    assert name.endswith("…") and name.encode("utf-8").decode("utf-8") == name


def test_xml_text_drops_only_what_xml_forbids():
    assert xml_text("a\x00b\x0bc\td\ne\r") == "abc\td\ne\r"
    assert xml_text(None) == "" and xml_text(12) == "12"
