"""``python -m kiosk``: the same as the ``yizhan-kiosk`` command."""

from kiosk.cli import main

raise SystemExit(main())
