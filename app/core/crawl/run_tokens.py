"""Cancel and pause tokens of a check run, set from any thread and watched by the run."""
from __future__ import annotations

import threading


class Cancelled(Exception):
    """Raised by CancelToken.check() once cancel() was called."""


class CancelToken:
    """Set from any thread; the run sees it between tasks and aborts requests in flight."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True as soon as cancelled."""
        return self._event.wait(timeout)


class PauseToken:
    """pause()/resume() from any thread; a paused run finishes requests in flight and waits."""

    def __init__(self):
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_resumed(self, timeout: float) -> bool:
        return self._running.wait(timeout)
