"""The Kivy touchscreen of the kiosk (issue 6).

Modules: ``app`` (KioskApp, run), ``screens`` (one module + one .kv per screen), ``widgets``
and ``keyboard`` (touch widgets), ``i18n`` (every worker-visible string), ``idle`` (idle
timeout), ``worker`` (service calls off the UI thread), ``services_api`` (the ScreenServices
protocol the screens use), ``qr`` and ``fonts``.

Importing this package does not import Kivy, so tests can set Kivy's environment first.
"""
