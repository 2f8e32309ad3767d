"""Server settings: where state lives and the knobs of the protocol, with their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = "./var/server"
MIB = 1024 * 1024


def default_data_dir() -> Path:
    """``$YIZHAN_SERVER_DATA`` or ./var/server."""
    return Path(os.environ.get("YIZHAN_SERVER_DATA") or DEFAULT_DATA)


def normalise_db_url(url: str) -> str:
    """Map ``postgresql://`` (and ``postgres://``) to the psycopg 3 SQLAlchemy dialect."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs. ``db_url`` defaults to SQLite under ``data_dir``."""

    data_dir: Path
    db_url: str = ""
    passphrase: bytes | None = None
    auth_window_s: int = 300
    max_body_bytes: int = 8 * MIB
    max_batch: int = 5000
    status_rate_per_minute: int = 10     # per client address, sliding 60 s window
    status_wrong_pins_per_receipt: int = 5  # wrong PINs per receipt, sliding window below
    status_receipt_window_s: int = 900
    alert_claimants: int = 5
    alert_window_days: int = 30
    duplicate_window_days: int = 90
    changes_page_max: int = 1000
    merge_after_s: float = 1.0  # the v2 merge waits for this long a lull in pushes
    # How long a SQLite statement waits for another connection's write lock before it fails
    # (StoreBusy, answered 503 with Retry-After); PostgreSQL queues lock waits itself.
    sqlite_busy_timeout_s: float = 30.0
    trust_forwarded_for: bool = False
    # who may read /metrics, /docs, /redoc, /openapi.json (sync_server/api/admin.py)
    admin_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client; none by
    # default, so a client cannot pick its own address for the rate limit.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def database_url(self) -> str:
        if self.db_url:
            return normalise_db_url(self.db_url)
        return f"sqlite:///{(self.data_dir / 'server.db').resolve()}"
