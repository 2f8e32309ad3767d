"""What every ``yizhan-server`` command module shares: the settings and services a command
opens from ``--data``/``--db``/``--passphrase-file``, and printing as text or ``--json``."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from shared.clock import SystemClock
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.errors import ConfigError
from sync_server.services.wiring import Services


def passphrase_from(args: argparse.Namespace) -> bytes | None:
    """The county passphrase: ``--passphrase-file``, else env YIZHAN_COUNTY_PASSPHRASE, else
    None. Raises ConfigError naming an unreadable file."""
    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).read_bytes().strip() or None
        except OSError as exc:
            raise ConfigError(f"--passphrase-file {args.passphrase_file}: {exc.strerror}")\
                from None
    value = os.environ.get("YIZHAN_COUNTY_PASSPHRASE")
    return value.encode("utf-8") if value else None


def settings_from(args: argparse.Namespace) -> Settings:
    """The server settings a command line names (the data folder tightened to 0700)."""
    keystore.lock_down(args.data)
    return Settings(data_dir=args.data, db_url=args.db or "", passphrase=passphrase_from(args),
                    trusted_proxies=tuple(getattr(args, "trusted_proxy", None) or ()))


def open_services(args: argparse.Namespace) -> Services:
    """The services on the store of ``--data``/``--db`` (created and migrated if need be);
    use as a context manager."""
    return Services.open(settings_from(args), SystemClock())


def show(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print ``data`` as one JSON line with ``--json``, else ``text``."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, sort_keys=True))
    else:
        print(text)
