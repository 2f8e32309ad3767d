"""The error tree of the ``sync_server`` package.

::

    ServerError                  base of everything the server raises on purpose
    ├── ConfigError              the data folder, a key file, a passphrase or --db is unusable
    ├── NotFound                 a receipt code, device or case named on the CLI does not exist
    ├── ActionRefused            a staff action the named case or record's state does not allow
    ├── BundleRefused            a USB record bundle is unreadable, tampered with, or from an
                                 unknown or revoked device; nothing of it was stored
    ├── BackupError              a backup cannot be written, or an archive is damaged or does
                                 not fit the target; a refused restore wrote nothing
    └── Problem                  an HTTP request is refused; carries status + stable ``code``

``Problem`` becomes a JSON problem body (RFC 9457 shape plus ``code``) at the HTTP edge;
the CLI prints the others to stderr and exits non-zero.
"""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    """Base of every error the sync server raises on purpose."""


class ConfigError(ServerError):
    """The data folder, a key file, a passphrase or a database URL cannot be used."""


class NotFound(ServerError):
    """A thing named by staff (receipt code, device, case) does not exist."""


class ActionRefused(ServerError):
    """A staff action that the state of the named case or record does not allow (e.g.
    splitting two cases that were never linked); nothing was changed."""


class BundleRefused(ServerError):
    """A USB record bundle cannot be imported; nothing of it was stored."""


class BackupError(ServerError):
    """A backup cannot be written or restored (damaged archive, occupied target, no
    pg_dump); the message names the file or member at fault."""


class Problem(ServerError):
    """A refused HTTP request: ``status``, a stable ``code`` and a human ``detail``."""

    def __init__(self, status: int, code: str, detail: str, title: str | None = None,
                 **extra: Any) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code.replace("_", " ")
        self.extra = extra
        super().__init__(f"{status} {code}: {detail}")

    def body(self) -> dict[str, Any]:
        """The JSON problem body."""
        return {"type": f"https://yizhan.example/problems/{self.code}", "title": self.title,
                "status": self.status, "code": self.code, "detail": self.detail, **self.extra}
