"""Text that office files and file systems accept: file names from unit and round names, and cell or
paragraph text without the control characters XML forbids."""
from __future__ import annotations

import re

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# A name stays well inside 255 bytes (ext4, NTFS) and leaves room for the folder in a 260-character
# Windows path: about 60 Chinese characters.
MAX_NAME_BYTES = 180


def xml_text(value) -> str:
    """``value`` as text that .docx and .xlsx can hold (NUL and other control characters dropped)."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def safe_filename(text, default: str = "未命名", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name (without extension) from any text: no path separators, reserved characters or
    control characters, no Windows device name, shortened to ``max_bytes`` of UTF-8."""
    name = _FILENAME_BAD.sub("_", "" if text is None else str(text))
    name = re.sub(r"\s+", " ", name).strip(" ._")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = "_" + name
    raw = name.encode("utf-8")
    if len(raw) > max_bytes:
        name = raw[:max_bytes].decode("utf-8", "ignore").rstrip(" ._") + "…"
    return name or default
