"""Home: the four big choices and the language toggle. Holds no personal data."""

from __future__ import annotations

from kiosk.ui.screens.base import KioskScreen

__all__ = ["HomeScreen"]


class HomeScreen(KioskScreen):
    """Buttons ``btn_complaint``, ``btn_jobseeker``, ``btn_lookup``, ``btn_ticket`` open the
    screens named ``complaint``, ``jobseeker``, ``lookup`` and ``ticket``."""
