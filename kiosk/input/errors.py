"""The errors of the input methods (``kiosk.input``), part of the kiosk's error tree.

::

    KioskError (kiosk.errors)
    └── InputMethodError             base of what the input methods raise on purpose; ``.code``
        ├── IndexInvalid             the pinyin index file is missing or malformed
        │                            (code ``ime_index_invalid``): the build is broken
        └── HandwritingUnavailable   libzinnia or the handwriting model is missing or will not
                                     open (code ``handwriting_unavailable``): the kiosk still
                                     takes pinyin; the staff device page says what to install

Messages name the file or library at fault; they never contain what a worker typed or drew.
"""

from __future__ import annotations

from kiosk.errors import KioskError


class InputMethodError(KioskError):
    """Base of every error the input methods raise on purpose; ``code`` is stable."""

    code = "ime_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class IndexInvalid(InputMethodError):
    """The pinyin index is missing or malformed (a packaging fault, not the worker's)."""

    code = "ime_index_invalid"


class HandwritingUnavailable(InputMethodError):
    """Handwriting cannot be recognised here: libzinnia or its model is missing or broken."""

    code = "handwriting_unavailable"
