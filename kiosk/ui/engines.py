"""The Chinese input engines as the touchscreen uses them: loaded and asked off the UI thread.

:data:`input_engines` (one per process, like the translator) holds the pinyin engine and the
handwriting recogniser from :mod:`kiosk.input`. :meth:`InputEngines.start` loads both on one
background thread when the app starts; ``pinyin_state`` / ``handwriting_state`` go
``idle -> loading -> ready`` or ``missing`` (with ``*_problem``: why, for the staff device
page). A kiosk without libzinnia or the handwriting model keeps pinyin; one without the
pinyin dictionary keeps handwriting and the letter keys.

:meth:`InputEngines.candidates` and :meth:`InputEngines.recognize` run on that same thread
(the engines are not shared between threads) and hand their answer back on the Kivy thread
through the clock. An engine's own failure during a lookup is our bug: it is re-raised on the
Kivy thread, never swallowed.

``fuzzy`` switches fuzzy pinyin (regional spellings: z/zh, n/l, an/ang …) for this process; it
starts on and staff may switch it on the device page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.logger import Logger
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

__all__ = ["STATES", "InputEngines", "Stroke", "input_engines", "load_handwriting",
           "load_pinyin"]

STATES = ("idle", "loading", "ready", "missing")
Stroke = Sequence[tuple[float, float]]
CANDIDATE_LIMIT = 30  # six pages of the pinyin candidate bar
HANDWRITING_LIMIT = 10


def load_pinyin() -> Any:
    """The pinyin engine with its dictionary. Raises when the dictionary cannot be read."""
    from kiosk.input import PinyinEngine

    return PinyinEngine.load()


def load_handwriting() -> Any:
    """The handwriting recogniser. Raises when libzinnia or its model is missing."""
    from kiosk.input import HandwritingRecognizer

    return HandwritingRecognizer.load()


class InputEngines(EventDispatcher):  # type: ignore[misc]
    """Loads the engines and runs their lookups on one background thread; see the module
    docstring. ``loaders`` and ``clock`` are injectable for tests."""

    pinyin_state = OptionProperty("idle", options=list(STATES))
    handwriting_state = OptionProperty("idle", options=list(STATES))
    pinyin_problem = StringProperty("")  # why the pinyin engine is missing ('' when not)
    handwriting_problem = StringProperty("")
    fuzzy = BooleanProperty(True)  # fuzzy pinyin (z/zh, n/l, ...): on unless staff turn it off

    def __init__(self, load_pinyin: Callable[[], Any] = load_pinyin,
                 load_handwriting: Callable[[], Any] = load_handwriting,
                 clock: Any = Clock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaders = {"pinyin": load_pinyin, "handwriting": load_handwriting}
        self._clock = clock
        self._pool: ThreadPoolExecutor | None = None
        self.pinyin: Any = None
        self.handwriting: Any = None
        self.bind(fuzzy=self._apply_fuzzy)

    # -- loading ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start loading whatever is not loaded or loading yet (returns at once)."""
        for name in ("pinyin", "handwriting"):
            if getattr(self, f"{name}_state") in ("idle",):
                setattr(self, f"{name}_state", "loading")
                self._submit(self._load, name, on_result=self._loaded_cb(name))

    def _load(self, name: str) -> tuple[Any, str]:
        try:
            from kiosk.input import InputMethodError
        except ImportError as exc:  # a build without the input methods: letter keys only
            return None, str(exc)
        try:
            return self._loaders[name](), ""
        except (InputMethodError, ImportError) as exc:  # missing library, model or index
            # The message names a package or file, never anything typed.
            Logger.warning("InputEngines: %s input unavailable: %s", name, exc)
            return None, str(exc)

    def _loaded_cb(self, name: str) -> Callable[[tuple[Any, str]], None]:
        def loaded(result: tuple[Any, str]) -> None:
            engine, problem = result
            if engine is not None:
                Logger.info("InputEngines: %s input ready", name)
            setattr(self, name, engine)
            if name == "pinyin":
                self._apply_fuzzy()
            setattr(self, f"{name}_problem", problem)
            setattr(self, f"{name}_state", "ready" if engine is not None else "missing")
        return loaded

    def _apply_fuzzy(self, *_args: Any) -> None:
        engine, fuzzy = self.pinyin, bool(self.fuzzy)
        if engine is not None:  # on the engines' thread, between lookups
            self._submit(lambda: setattr(engine, "fuzzy", fuzzy), on_result=lambda _r: None)

    # -- lookups ---------------------------------------------------------------------------

    def candidates(self, buffer: str, field: str, before: str,
                   on_result: Callable[[list[str], dict[str, int]], None]) -> None:
        """Ask for the words for ``buffer`` in a ``field`` (name/employer/text) after
        ``before``; ``on_result(words, spans)`` runs on the Kivy thread, ``spans`` saying how
        many buffer characters each word uses. No-op (no answer) while the pinyin engine is
        not ready."""
        engine = self.pinyin
        if engine is None:
            return

        def lookup() -> tuple[list[str], dict[str, int]]:
            found = engine.lookup(buffer, field, CANDIDATE_LIMIT, before)
            return [c.text for c in found], {c.text: c.consumed for c in found}

        self._submit(lookup, on_result=lambda r: on_result(*r))

    def recognize(self, strokes: Sequence[Stroke], width: float, height: float,
                  on_result: Callable[[list[str]], None]) -> None:
        """Ask which characters ``strokes`` (pad coordinates, y downwards) may be;
        ``on_result(chars)`` runs on the Kivy thread. No-op while the recogniser is not
        ready."""
        recognizer = self.handwriting
        if recognizer is None:
            return
        frozen = [list(stroke) for stroke in strokes]
        self._submit(lambda: list(recognizer.recognize(frozen, width, height,
                                                       limit=HANDWRITING_LIMIT)),
                     on_result=on_result)

    # -- plumbing --------------------------------------------------------------------------

    def _submit(self, fn: Callable[..., Any], *args: Any,
                on_result: Callable[[Any], None]) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-input")
        future = self._pool.submit(fn, *args)
        future.add_done_callback(lambda f: self._deliver(f, on_result))

    def _deliver(self, future: Future[Any], on_result: Callable[[Any], None]) -> None:
        exc = future.exception()
        if exc is not None:
            def reraise(_dt: float) -> None:
                raise exc

            self._clock.schedule_once(reraise, 0)
            return
        result = future.result()
        self._clock.schedule_once(lambda _dt: on_result(result), 0)

    def wait_idle(self) -> None:
        """Block until the work submitted so far has run (tests, shutdown)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result()

    def shutdown(self) -> None:
        """Stop the background thread (queued lookups are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


input_engines = InputEngines()
