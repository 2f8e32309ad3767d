"""Who this kiosk is and whom it seals to: device key, station key, county keys, server key.

Data folder layout (mode 0700)::

    kiosk.db            the store (kiosk/store.py)
    device-key.pem      Ed25519 private key, PKCS#8 PEM, mode 0600; never leaves the device
    station-key.json    station X25519 private key wrapped under the staff passphrase (scrypt)

``init_kiosk`` makes all three. The county's public keys and the server's acknowledgement key
come from ``enroll_with`` (offline: the JSON file ``yizhan-server init`` writes; online: the
``enroll`` command). Until then intake refuses with ``NotEnrolled``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.errors import (
    AlreadyInitialised,
    ConfigInvalid,
    NotEnrolled,
    NotInitialised,
    StoreError,
)
from kiosk.services.stationkey import unwrap_station_key, wrap_station_key
from kiosk.store import Store
from shared._errors import FeedError, FileRefused, KeyMaterialError
from shared.clock import Clock, format_utc
from shared.feed import Trust
from shared.ids import STATION_ID
from shared.keys import (
    Recipient,
    b64u,
    device_id_of,
    ed25519_private_from_pem,
    ed25519_public_from_b64,
    private_to_pem,
    raw_public,
    x25519_public_from_b64,
)
from shared.safefile import write_new

DB_FILE = "kiosk.db"
DEVICE_KEY_FILE = "device-key.pem"
STATION_KEY_FILE = "station-key.json"


@dataclass(frozen=True)
class Identity:
    """This kiosk: its device id and signing key, its station and the station's public key."""

    device_id: str
    device_key: Ed25519PrivateKey
    station: str
    station_recipient: Recipient


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 from the first byte, atomically (replacing
    a regular file left by an earlier, unfinished init; never through a link)."""
    write_new(path, data, force=True)


def init_kiosk(data_dir: Path, station: str, passphrase: bytes, clock: Clock,
               county_public: dict[str, Any] | None = None) -> Identity:
    """Make the device key, the station key (wrapped under ``passphrase``) and the store.

    Returns the new Identity. Raises AlreadyInitialised if ``data_dir`` holds a kiosk,
    ConfigInvalid for a bad station id or county file, WeakPassphrase (a WrongPassphrase)
    for a passphrase that is too short or too common, StoreError if the folder cannot be written.
    """
    if not STATION_ID.match(station):
        raise ConfigInvalid("station id must be 1-64 letters, digits, '-' or '_'")
    data_dir = Path(data_dir)
    if (data_dir / DB_FILE).exists():
        raise AlreadyInitialised(f"{data_dir} already holds a kiosk; refusing to replace it")
    county = parse_county_public(county_public) if county_public is not None else None
    device_key = Ed25519PrivateKey.generate()
    station_key = X25519PrivateKey.generate()
    wrapped = wrap_station_key(station_key, passphrase, (station, "station", "kiosk"))
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(data_dir / DEVICE_KEY_FILE, private_to_pem(device_key, None))
        _write_private(data_dir / STATION_KEY_FILE, json.dumps(wrapped).encode())
    except OSError as exc:
        raise StoreError(f"data folder {data_dir} cannot be written: {exc.strerror}") from None
    except FileRefused as exc:
        raise StoreError(f"data folder {data_dir} cannot be written: {exc}") from None
    store = Store.open(data_dir / DB_FILE, create=True)
    try:
        recipient = Recipient.of(station_key.public_key())
        with store.transaction():
            store.set_setting("identity", {
                "device_id": device_id_of(device_key.public_key()),
                "device_public": b64u(raw_public(device_key.public_key())),
                "station": station, "station_kid": recipient.kid,
                "station_public": b64u(raw_public(recipient.public_key)),
                "created": format_utc(clock.now())})
            if county is not None:
                store.set_setting("county", county)
        return load_identity(data_dir, store)
    finally:
        store.close()


def load_identity(data_dir: Path, store: Store) -> Identity:
    """Read this kiosk's identity. Raises NotInitialised if ``init`` has not run."""
    ident = store.get_setting("identity")
    if ident is None:
        raise NotInitialised(f"{data_dir} holds no kiosk yet: run 'yizhan-kiosk init'")
    key = device_signing_key(data_dir)
    if device_id_of(key.public_key()) != ident["device_id"]:
        raise ConfigInvalid(f"{data_dir / DEVICE_KEY_FILE} is not this kiosk's device key")
    return Identity(ident["device_id"], key, ident["station"],
                    Recipient.from_wire({"kid": ident["station_kid"],
                                         "public_key": ident["station_public"]}))


def device_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The device's Ed25519 private key. Raises NotInitialised if the key file is missing."""
    path = Path(data_dir) / DEVICE_KEY_FILE
    try:
        return ed25519_private_from_pem(path.read_bytes(), None)
    except FileNotFoundError:
        raise NotInitialised(f"{path} is missing: run 'yizhan-kiosk init'") from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror}") from None
    except KeyMaterialError as exc:
        raise ConfigInvalid(f"{path}: {exc}") from None


def unlock_station_key(data_dir: Path, passphrase: bytes) -> X25519PrivateKey:
    """The station private key. Raises WrongPassphrase, NotInitialised or ConfigInvalid."""
    path = Path(data_dir) / STATION_KEY_FILE
    try:
        wrapped = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise NotInitialised(f"{path} is missing: run 'yizhan-kiosk init'") from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror}") from None
    except ValueError:
        raise ConfigInvalid(f"{path} is not valid JSON") from None
    return unwrap_station_key(wrapped, passphrase)


def parse_county_public(data: object) -> dict[str, Any]:
    """Check the county's public file; returns it normalised.

    Shape: ``{"county": NAME, "keys": [{"kid", "public_key"}...], "server_key": b64url,
    "serial": N}`` (``serial``, the key statement these keys come from, is 0 when absent).
    Raises ConfigInvalid naming the field at fault.
    """
    if not isinstance(data, dict):
        raise ConfigInvalid("county public file: must be a JSON object")
    county, keys, server = data.get("county"), data.get("keys"), data.get("server_key")
    if not isinstance(county, str) or not county.strip():
        raise ConfigInvalid("county public file: 'county' must be a non-empty name")
    if not isinstance(keys, list) or not keys:
        raise ConfigInvalid("county public file: 'keys' must be a non-empty list")
    out = []
    for i, k in enumerate(keys):
        try:
            if not isinstance(k, dict):
                raise KeyMaterialError("not an object")
            out.append(Recipient.from_wire(k).to_wire())
        except (KeyMaterialError, KeyError, TypeError) as exc:
            raise ConfigInvalid(f"county public file: keys[{i}]: {exc}") from None
    try:
        ed25519_public_from_b64(server)  # type: ignore[arg-type]
    except (KeyMaterialError, TypeError):
        raise ConfigInvalid("county public file: 'server_key' must be a base64url "
                            "Ed25519 public key") from None
    serial = data.get("serial", 0)
    if type(serial) is not int or serial < 0:
        raise ConfigInvalid("county public file: 'serial' must be a whole number >= 0")
    return {"county": county, "keys": out, "server_key": server, "serial": serial}


def enroll_with(store: Store, county_public: dict[str, Any], server_url: str | None) -> None:
    """Store the county's public keys and server key (and the server URL, if any).

    Raises ConfigInvalid if ``county_public`` is malformed.
    """
    county = parse_county_public(county_public)
    with store.transaction():
        store.set_setting("county", county)
        if server_url is not None:
            store.set_setting("server_url", server_url)


REVOKED_KEY = "revoked_devices"  # setting: device ids the county said it revoked
REVOKED_MESSAGE = ("本机已停用：县级中心已停用这台自助机，不能再登记。请到站点服务台登记，"
                   "已登记的记录不会丢失。 / This kiosk is out of service: the county has "
                   "revoked it and it takes no new records. Please register at the station "
                   "desk; records already filed here are kept.")


def is_revoked(store: Store, device_id: str) -> bool:
    """Whether the county has told this kiosk (a sync, an ack bundle) it revoked it."""
    return device_id in (store.get_setting(REVOKED_KEY) or [])


def county_recipient(store: Store) -> Recipient:
    """The county key new records are sealed to (the newest, i.e. last, one).

    Raises NotEnrolled if the county keys are not known yet.
    """
    county = store.get_setting("county")
    if not county:
        raise NotEnrolled("county keys are not known yet: enroll this kiosk "
                          "('yizhan-kiosk init --county-public FILE' or 'enroll') first")
    last = county["keys"][-1]
    return Recipient(last["kid"], x25519_public_from_b64(last["public_key"]))


def server_key(store: Store) -> Ed25519PublicKey:
    """The county server's Ed25519 key that signs acknowledgements. Raises NotEnrolled."""
    return trust(store).server_key


def trust(store: Store) -> Trust:
    """The county keys and server key this kiosk trusts (from enrollment, then verified key
    statements). Raises NotEnrolled before enrollment, ConfigInvalid if the stored keys are
    damaged."""
    county = store.get_setting("county")
    if not county:
        raise NotEnrolled("the server key is not known yet: enroll this kiosk first")
    try:
        return Trust.from_public(county)
    except FeedError:
        raise ConfigInvalid("the stored county keys are damaged: enroll this kiosk again") \
            from None


def set_trust(store: Store, new: Trust) -> None:
    """Store keys reached through a verified key statement (``shared.feed.advance``)."""
    store.set_setting("county", new.to_public())
