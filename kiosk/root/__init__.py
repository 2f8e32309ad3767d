"""The kiosk root: wires the services (``kiosk.services``) and sync (``kiosk.sync``).

``KioskServices`` (:mod:`kiosk.root.facade`) opens a data folder and is the one object the
touchscreen and the CLI call; ``ServicesPort`` (:mod:`kiosk.root.syncport`) presents the
services to sync through sync's own Protocols (``kiosk.sync.port``);
``background_worker`` (:mod:`kiosk.root.background`) is the sync worker the touchscreen
runs. Nothing below this package imports it; the screens see it only as the Protocol
``kiosk.ui.services_api.ScreenServices``::

    kiosk.cli  →  kiosk.ui  ·  kiosk.root  →  kiosk.services · kiosk.sync  →  kiosk.store  →  shared
"""

from kiosk.root.background import background_worker
from kiosk.root.facade import KioskServices
from kiosk.root.syncport import ServicesPort

__all__ = ["KioskServices", "ServicesPort", "background_worker"]
