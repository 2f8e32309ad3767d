#!/usr/bin/env python3
"""Regenerate docs/screens/*.png: every kiosk screen in zh-CN, and some in English.

The screenshots are taken by the UI tests themselves (tests/kiosk/ui, marked ``ui``), which
drive the real app in an offscreen Kivy window (SDL_VIDEODRIVER=offscreen) with the in-memory
fake services, so a picture in the docs is always of a flow a test has just walked. This
script runs those tests with ``YIZHAN_UI_SHOTS`` pointing at a temporary folder and copies
every full-window PNG into docs/screens (the bare QR crops the tests decode are skipped).

Usage: python scripts/screens.py [--out docs/screens]
Exit status: non-zero when the tests fail (nothing is copied then).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = ("qr_image", "real-receipt-qr", "receipt-qr", "journey-receipt-qr")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens",
                        help="where the PNGs go (default: docs/screens)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="yizhan-shots-") as shots:
        env = {**os.environ, "YIZHAN_UI_SHOTS": shots, "SDL_VIDEODRIVER": "offscreen"}
        result = subprocess.run(  # noqa: S603  (our own test suite, fixed arguments)
            [sys.executable, "-m", "pytest", "-q", "-m", "ui", "-p", "no:cacheprovider",
             str(ROOT / "tests" / "kiosk" / "ui")],
            cwd=ROOT, env=env, check=False)
        if result.returncode != 0:
            print("UI tests failed: screenshots not updated", file=sys.stderr)
            return result.returncode
        args.out.mkdir(parents=True, exist_ok=True)
        copied = 0
        for png in sorted(Path(shots).glob("*.png")):
            if png.stem in SKIP:
                continue
            shutil.copyfile(png, args.out / png.name)
            copied += 1
    print(f"{copied} screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
