"""Draw the app icon (resources/icons/): a page under a magnifying glass on the app's blue.

    python scripts/make_icon.py

Writes govinspect-<size>.png for the window (Qt picks the size it needs) and govinspect.ico
(the same images, PNG-compressed, for the Windows .exe; PyInstaller reads it). Drawn with
QPainter offscreen, so the icon needs no image editor and no font.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE, GOLD, WHITE, LINE = QColor("#1a5fb4"), QColor("#f9ab00"), QColor("#ffffff"), QColor("#9ab8e0")


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64, size / 64)                        # draw on a 64 × 64 grid
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BLUE)
    p.drawRoundedRect(QRectF(2, 2, 60, 60), 13, 13)
    p.setBrush(WHITE)                                    # the page
    p.drawRoundedRect(QRectF(13, 10, 30, 40), 3, 3)
    if size >= 24:                                       # its lines, where they can be seen
        p.setPen(QPen(LINE, 3))
        for y in (19, 26, 33):
            p.drawLine(QPointF(19, y), QPointF(37 if y != 33 else 30, y))
    p.setPen(QPen(GOLD, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))      # the handle
    p.drawLine(QPointF(45, 45), QPointF(54, 54))
    p.setPen(QPen(GOLD, 5))                                                       # the lens
    p.setBrush(QColor(255, 255, 255, 235))
    p.drawEllipse(QPointF(38, 38), 10, 10)
    p.setPen(QPen(QColor("#188038"), 3.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                  Qt.PenJoinStyle.RoundJoin))                                     # a tick in the lens
    p.drawPolyline([QPointF(33.5, 38.5), QPointF(37, 42), QPointF(43, 34.5)])
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data)


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """An .ico holding PNG images (Windows Vista and later read them)."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return head + entries + blobs


def main() -> None:
    if QGuiApplication.instance() is None:
        main.app = QGuiApplication(sys.argv)        # QPainter on a QImage needs one; kept alive on main
    OUT.mkdir(parents=True, exist_ok=True)
    images = []
    for size in SIZES:
        blob = png_bytes(draw(size))
        (OUT / f"govinspect-{size}.png").write_bytes(blob)
        images.append((size, blob))
    (OUT / "govinspect.ico").write_bytes(ico(images))
    print(f"wrote {len(SIZES)} PNGs and govinspect.ico in {OUT}")


if __name__ == "__main__":
    main()
