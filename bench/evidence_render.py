"""Evidence screenshots: how long drawing takes, and what the alternative would cost.

    python bench/evidence_render.py [--webengine-python PATH] [--runs 5]

(b) the shipped renderer: prepare (lxml, caps, marks) + QTextDocument on a QImage, offscreen —
    start-up (import + QGuiApplication) in a fresh process, then per screenshot on a typical
    kept page (~60 KB), a long one (~1 MB) and a hostile one (deep nesting, huge table, 3 MB).
(a) QtWebEngine, only when ``--webengine-python`` names a Python that has PySide6-Addons
    (it is not a dependency): a fresh process loads the same prepared HTML in a
    QWebEngineView with every request blocked and grabs it; start-up and total per process.
Prints medians; figures vary ±25 % on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.exports.shot_html import Marks, prepare  # noqa: E402

STARTUP = ("import time; t=time.perf_counter(); from app.ui.evidence_shots import ensure_gui; ensure_gui(); "
           "print(time.perf_counter()-t)")

WEBENGINE = r"""
import sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QApplication
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor
from PySide6.QtWebEngineWidgets import QWebEngineView
class Block(QWebEngineUrlRequestInterceptor):
    def interceptRequest(self, info):
        if info.requestUrl().scheme() != "data":
            info.block(True)
app = QApplication(sys.argv)
started = time.perf_counter() - t0
view = QWebEngineView(); block = Block(); view.page().profile().setUrlRequestInterceptor(block)
view.resize(1000, 900)
def loaded(ok):
    QTimer.singleShot(200, shoot)          # let the first frame paint
def shoot():
    view.grab().toImage().save(sys.argv[2]); print(started, time.perf_counter() - t0); app.quit()
view.loadFinished.connect(loaded)
view.setHtml(open(sys.argv[1], encoding="utf-8").read(), QUrl("http://127.0.0.1:9/"))
view.show()
QTimer.singleShot(60000, app.quit)
app.exec()
"""


def pages() -> dict[str, str]:
    para = "<p>本单位认真落实政务公开各项要求，按时更新栏目内容，做好防汛准备。</p>"
    typical = f"<html><body>{para * 300}<p>切实做好防讯准备</p>{para * 300}</body></html>"
    long = f"<html><body>{para * 8000}<p>切实做好防讯准备</p>{para * 8000}</body></html>"
    deep = "<div>" * 3000 + "深处" + "</div>" * 3000
    rows = "".join(f"<tr><td>{i}</td>" + "<td>格</td>" * 80 + "</tr>" for i in range(2000))
    hostile = f"<html><body>{deep}<table>{rows}</table>{'<p>填充文字</p>' * 200_000}</body></html>"
    return {"typical": typical, "long": long, "hostile": hostile}


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--webengine-python", help="a Python with PySide6-Addons (QtWebEngine)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    starts = [float(subprocess.run([sys.executable, "-c", STARTUP], cwd=ROOT, capture_output=True, text=True,
                                   check=True).stdout.split()[-1]) for _ in range(args.runs)]
    print(f"(b) QTextDocument: start-up (import + QGuiApplication) median {statistics.median(starts) * 1000:.0f} ms")
    from app.ui.evidence_shots import render_png
    out = Path(tempfile.mkdtemp())
    prepared = {}
    for name, html in pages().items():
        prep = median_ms(lambda: prepared.__setitem__(name, prepare(html, "http://x.example/", Marks(words=("防讯",)))),
                         args.runs)
        draw = median_ms(lambda: render_png(prepared[name], ["bench"], out / f"{name}.png"), args.runs)
        print(f"(b) {name:8s} {len(html) / 1e3:6.0f}k chars: prepare {prep:6.0f} ms, draw+save {draw:6.0f} ms "
              f"(notes: {'；'.join(prepared[name].notes) or '—'})")
    if args.webengine_python:
        script = out / "we.py"
        script.write_text(WEBENGINE, encoding="utf-8")
        env = dict(os.environ, QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu --disable-gpu-compositing",
                   QT_QUICK_BACKEND="software")
        for name in ("typical", "long"):
            page = out / f"{name}.html"
            page.write_text(prepared[name].html, encoding="utf-8")
            rows = []
            for _ in range(args.runs):
                t = time.perf_counter()
                proc = subprocess.run([args.webengine_python, str(script), str(page), str(out / f"we-{name}.png")],
                                      env=env, capture_output=True, text=True, timeout=120)
                wall = time.perf_counter() - t
                nums = proc.stdout.split()
                if len(nums) < 2:
                    print(f"(a) QtWebEngine {name}: failed: {proc.stderr[-300:]}")
                    break
                rows.append((float(nums[0]), float(nums[1]), wall))
            if rows:
                med = [statistics.median(r[i] for r in rows) * 1000 for i in range(3)]
                print(f"(a) QtWebEngine {name:8s}: start-up {med[0]:.0f} ms, loaded and grabbed at {med[1]:.0f} ms "
                      f"(incl. a 200 ms paint wait), process wall {med[2]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
