"""What every ``yizhan-kiosk`` command shares: exit codes, the data folder, opening the kiosk,
printing results, the staff passphrase and JSON input files.

Exit status: 0 success; 1 some input records were invalid (the valid ones are stored) or
nothing matched; 2 usage error; 3 the kiosk cannot do it (not initialised, not enrolled,
wrong passphrase, data folder not writable, ...); 4 the county could not be reached or
answered like a captive portal (try again later; nothing was lost).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from kiosk.errors import KioskError
from kiosk.root import KioskServices
from shared.clock import SystemClock

DEFAULT_DATA = "./var/kiosk"
PASSPHRASE_ENV = "YIZHAN_STAFF_PASSPHRASE"  # noqa: S105  the name of a variable, not a secret
EXIT_INVALID, EXIT_USAGE, EXIT_KIOSK, EXIT_UNREACHABLE = 1, 2, 3, 4


class UsageError(KioskError):
    """The command line asks for something impossible (missing file, no passphrase)."""

    code = "usage"



def show(args: argparse.Namespace, value: Any, human: str) -> None:
    """Print ``value`` as JSON with ``--json``, else the ``human`` text."""
    print(json.dumps(value, ensure_ascii=False) if args.json else human, flush=True)


def data_dir(args: argparse.Namespace) -> Path:
    """The kiosk data folder: ``--data``, else ``$YIZHAN_KIOSK_DATA``, else ./var/kiosk."""
    return Path(getattr(args, "data", None) or os.environ.get("YIZHAN_KIOSK_DATA")
                or DEFAULT_DATA)


def open_kiosk(args: argparse.Namespace) -> KioskServices:
    """The kiosk in the data folder, on the system clock. Raises NotInitialised."""
    return KioskServices.open(data_dir(args), SystemClock())


def staff_passphrase(args: argparse.Namespace) -> bytes:
    """The staff passphrase from ``--passphrase-file`` or the environment. Raises
    UsageError when neither gives one."""
    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise UsageError(f"--passphrase-file {args.passphrase_file}: {exc.strerror}") \
                from None
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        raise UsageError(f"the staff passphrase is needed: set {PASSPHRASE_ENV} "
                         "or pass --passphrase-file FILE")
    return value.encode()



def read_json_file(path: str, what: str) -> Any:
    """The JSON document in ``path`` ('-' for stdin). Raises UsageError naming ``what``."""
    try:
        text = stdin_text().read() if path == "-" else Path(path).read_text("utf-8")
        return json.loads(text)
    except OSError as exc:
        raise UsageError(f"{what} {path}: {exc.strerror}") from None
    except ValueError:
        raise UsageError(f"{what} {path}: not valid JSON") from None



def stdin_text() -> IO[str]:
    """Standard input as UTF-8 text, whatever the locale says."""
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
