"""Run service calls off the Kivy thread and deliver their results back onto it.

Services do SQLite, crypto and network; none of that may block a frame. ``ServiceRunner.call``
submits the work to one background thread (calls stay in order, and the kiosk store sees a
single writer) and schedules ``on_result`` / ``on_error`` on the Kivy thread with
``Clock.schedule_once``.

Errors are never swallowed: without an ``on_error`` the exception is re-raised on the Kivy
thread, where it stops the app loudly (and fails a test).

After a wipe (idle timeout, next person) :meth:`ServiceRunner.invalidate` makes results of
calls made before it be dropped, so a slow answer for one person never appears on the screen
of the next.

``progress`` wraps a callback so that a service can report progress from the worker thread
and the UI receives it on the Kivy thread (used by ``sync_now``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from kivy.clock import Clock

__all__ = ["ServiceRunner"]

T = TypeVar("T")


class ServiceRunner:
    """One worker thread for service calls; results come back through the Kivy clock."""

    def __init__(self, clock: Any = Clock) -> None:
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-services")
        self._pending = 0
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        """True while a call is queued or running, or its result is not yet delivered."""
        with self._lock:
            return self._pending > 0

    def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` on the worker; return its future.

        ``on_result(value)`` or ``on_error(exc)`` then runs on the Kivy thread.
        """
        with self._lock:
            self._pending += 1
            generation = self._generation
        future = self._pool.submit(fn, *args, **kwargs)

        def done(f: Future[T]) -> None:
            self._clock.schedule_once(lambda _dt: self._deliver(f, generation, on_result, on_error))

        future.add_done_callback(done)
        return future

    def invalidate(self) -> None:
        """Drop the results of every call made so far (their errors still surface)."""
        with self._lock:
            self._generation += 1

    def _deliver(
        self,
        future: Future[T],
        generation: int,
        on_result: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        with self._lock:
            self._pending -= 1
            stale = generation != self._generation
        exc = future.exception()
        if exc is not None:
            if on_error is None:
                raise exc
            if not stale:
                on_error(exc)
        elif on_result is not None and not stale:
            on_result(future.result())

    def progress(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap ``callback`` so calls from the worker thread run on the Kivy thread."""

        def report(value: Any) -> None:
            self._clock.schedule_once(lambda _dt: callback(value))

        return report

    def shutdown(self) -> None:
        """Finish queued calls and stop the worker thread."""
        self._pool.shutdown(wait=True)
