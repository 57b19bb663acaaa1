"""Guard against the PySide6 6.12.0 bug that drops a reference to True on every emit.

After a few thousand emits the interpreter aborts (bool_dealloc), so a long session would crash.
"""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    number = Signal(int)


def test_emitting_signals_keeps_bool_references():
    emitter = _Emitter()
    seen = []
    emitter.number.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.number.emit(i)
    assert len(seen) == 200
    assert sys.getrefcount(True) >= before - 5
