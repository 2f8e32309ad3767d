"""Idle timeout: after a quiet spell, wipe the form and go home, with a visible countdown.

A worker who walks away must not leave their data on the screen for the next person.
:class:`IdleTimeout` measures quiet time with an injectable ``time_source`` (seconds, like
``time.monotonic``) and checks it on a Kivy ``Clock`` interval; it never sleeps. In the last
``warn_seconds`` it sets ``counting_down`` and ``remaining`` (whole seconds, for the banner);
at zero it dispatches ``on_timeout`` once and re-arms.

The app calls :meth:`IdleTimeout.poke` on every touch and key press, and keeps the
controller ``enabled`` only away from the home screen (home holds nothing to wipe).

:meth:`IdleTimeout.check` holds the whole decision, so tests can drive it with a manual time
source and no window at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty

__all__ = ["DEFAULT_TIMEOUT_S", "DEFAULT_WARN_S", "IdleTimeout"]

DEFAULT_TIMEOUT_S = 90.0
DEFAULT_WARN_S = 20.0


class IdleTimeout(EventDispatcher):  # type: ignore[misc]
    """Fires ``on_timeout`` after ``timeout`` seconds without :meth:`poke`.

    Properties (bindable): ``timeout``, ``warn_seconds``, ``enabled``, ``remaining`` (whole
    seconds left, shown by the banner) and ``counting_down`` (inside the warning window).
    """

    timeout = NumericProperty(DEFAULT_TIMEOUT_S)
    warn_seconds = NumericProperty(DEFAULT_WARN_S)
    enabled = BooleanProperty(False)
    remaining = NumericProperty(DEFAULT_TIMEOUT_S)
    counting_down = BooleanProperty(False)

    __events__ = ("on_timeout",)

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        warn_seconds: float = DEFAULT_WARN_S,
        time_source: Callable[[], float] = time.monotonic,
        clock: Any = Clock,
        check_interval: float = 0.25,
        **kwargs: Any,
    ) -> None:
        if timeout <= 0 or not 0 <= warn_seconds <= timeout:
            raise ValueError(
                f"idle timeout needs timeout > 0 and 0 <= warn_seconds <= timeout, "
                f"got timeout={timeout}, warn_seconds={warn_seconds}"
            )
        super().__init__(timeout=timeout, warn_seconds=warn_seconds, remaining=timeout, **kwargs)
        self._now = time_source
        self._clock = clock
        self._interval = check_interval
        self._event: Any = None
        self._last_activity = self._now()

    def start(self) -> None:
        """Begin checking on the Kivy clock (idempotent)."""
        if self._event is None:
            # A bound method, not a lambda: Kivy's clock keeps only a weak reference to an
            # interval callback after its first call.
            self._event = self._clock.schedule_interval(self._on_interval, self._interval)

    def stop(self) -> None:
        """Stop checking."""
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _on_interval(self, _dt: float) -> None:
        self.check()

    def poke(self, *_args: Any) -> None:
        """Record activity now: restarts the countdown and hides the banner."""
        self._last_activity = self._now()
        self.remaining = self.timeout
        self.counting_down = False

    def on_enabled(self, _instance: Any, _value: bool) -> None:
        # Entering or leaving a screen with data counts as activity.
        self.poke()

    def check(self) -> bool:
        """Update ``remaining``/``counting_down``; dispatch ``on_timeout`` when due.

        Returns True when the timeout fired on this check.
        """
        if not self.enabled:
            self.counting_down = False
            return False
        left = self.timeout - (self._now() - self._last_activity)
        if left <= 0:
            self.poke()
            self.dispatch("on_timeout")
            return True
        self.remaining = math.ceil(left)
        self.counting_down = left <= self.warn_seconds
        return False

    def on_timeout(self) -> None:
        """Default handler; the app binds its wipe-and-go-home here."""
