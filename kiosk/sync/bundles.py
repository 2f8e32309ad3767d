"""USB bundles on the kiosk: export the unacknowledged chain segment, import the county's ack.

For stations with no link: staff export a bundle to a USB stick, county staff run
``yizhan-server import-bundle``, and the ack bundle it writes comes back on the stick.
Records leave the outbox only when the server-signed acknowledgement inside names them. The
ack bundle as a whole is signed by the server key this kiosk trusts (after the key
statements it carries), addressed to this device, and no older than the kiosk's feed
cursor; otherwise nothing in it is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.sync import push2
from kiosk.sync.errors import UnverifiedAnswer
from kiosk.sync.port import KioskPort
from shared._errors import EnvelopeError, FeedError, FileRefused
from shared.ack import verify_ack
from shared.bundle import (
    MAX_BUNDLE_FILE,
    RecordBundle,
    looks_like_record_bundle,
    open_ack_bundle,
    write_record_bundle,
)
from shared.clock import format_utc
from shared.safefile import NewFile, read_limited


def export_bundle(kiosk: KioskPort, path: Path | str,
                  force: bool = False) -> dict[str, Any]:
    """Write the signed record bundle of everything not yet acknowledged to ``path``.

    The file is made new beside ``path`` and renamed into place (shared/safefile.py): it
    replaces an earlier record bundle there, anything else only with ``force``, and never
    writes through a symbolic link. Returns ``{"path", "records", "first_seq", "last_seq",
    "bytes"}``. Raises FileRefused naming the path when it may not be written (the outbox is
    unchanged either way).
    """
    target = Path(path)
    out = NewFile(target, force=force, replaceable=looks_like_record_bundle).open()
    try:
        port = kiosk.sync_port()
        items = port.since_last_ack()
        epochs: Mapping[str, str] = getattr(port, "v2_epochs", dict)()
        bundle = RecordBundle(kiosk.device_id, kiosk.station,
                              format_utc(kiosk.clock.now()),
                              tuple(push2.bundle_item(i.envelope, epochs) for i in items))
        data = write_record_bundle(bundle, kiosk.device_signing_key())
        out.write(data)
        out.commit()
    finally:
        out.discard()
    return {"path": str(target), "records": len(items),
            "first_seq": items[0].seq if items else None,
            "last_seq": items[-1].seq if items else None, "bytes": len(data)}


def import_ack(kiosk: KioskPort, path: Path | str) -> dict[str, Any]:
    """Apply an ack bundle written by ``yizhan-server import-bundle``.

    Returns ``{"acknowledged", "changes"}``. Raises EnvelopeError (nothing applied) when the
    file is unreadable or not an ack bundle; UnverifiedAnswer (nothing applied, staff
    warned) when it is unsigned, forged, addressed to another kiosk or older than what this
    kiosk already has; FileRefused naming the file when it cannot be read, is not a regular
    file, is over MAX_BUNDLE_FILE or inflates past its budget.
    """
    data = read_limited(path, MAX_BUNDLE_FILE)
    port = kiosk.sync_port()
    cursor = port.get_cursor()
    try:
        try:
            bundle = open_ack_bundle(data, port.trust(), kiosk.device_id, cursor)
        except FileRefused as exc:
            raise exc.naming(path) from None
        try:
            ack = verify_ack(bundle.ack, bundle.trust.server_key, kiosk.device_id)
        except EnvelopeError:
            raise FeedError("the acknowledgement inside does not verify") from None
    except FeedError as exc:
        error = UnverifiedAnswer(f"ack bundle {Path(path).name} ({exc.detail})")
        kiosk.record_sync(format_utc(kiosk.clock.now()), str(error), unverified=True)
        raise error from None
    # Statuses first: the ack marks its records 'received' as of its own (later) issue time
    # only where no status is known, which must not mask a real status change behind it.
    with port.transaction():
        port.apply_page(bundle.trust, bundle.changes, bundle.cursor)
        acknowledged = port.apply_ack(ack)
    kiosk.record_sync(format_utc(kiosk.clock.now()), None)
    return {"acknowledged": acknowledged, "changes": len(bundle.changes)}
