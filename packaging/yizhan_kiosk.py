"""Entry script of the frozen ``yizhan-kiosk`` (PyInstaller): the same as the console script.

PyInstaller needs a script file to start from; the console script ``yizhan-kiosk`` is a
setuptools entry point, which it cannot analyse. Kept outside ``kiosk/`` so that analysing
it does not put ``kiosk/`` itself on the search path (``kiosk/errors.py`` would read as a
top-level ``errors``).
"""

from kiosk.cli import main

raise SystemExit(main())
