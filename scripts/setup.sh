#!/usr/bin/env bash
# Prepare a machine to run yizhan: Debian packages (when root), a virtualenv in .venv,
# and the Python packages from pyproject.toml. Idempotent and quick when nothing changed.
#   scripts/setup.sh          runtime + kiosk UI + dev tools
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}

# Debian packages: venv support, and the Mesa/EGL libraries Kivy needs to render offscreen;
# Zinnia and its simplified-Chinese model for the handwriting pad (kiosk/input/handwriting.py),
# espeak-ng for the kiosk's voice prompts; chromium (and a CJK font for its pages) for the
# console's browser tests (Playwright cannot download browsers here).
DEB_PKGS=(python3-venv libegl1 libegl-mesa0 libgl1 libgl1-mesa-dri libmtdev1 xclip
          libzinnia0 tegaki-zinnia-simplified-chinese espeak-ng chromium fonts-wqy-microhei)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${DEB_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: these Debian packages are missing; ask your administrator to run:" >&2
        echo "  sudo apt-get install ${missing[*]}" >&2
        if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then exit 1; fi
    fi
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating virtualenv .venv"
    "$PY" -m venv .venv
fi
STAMP=.venv/.yizhan-installed
WANT=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "setup: installing Python packages into .venv (first time takes a minute)"
    LOG=.venv/setup.log
    if ! { .venv/bin/python -m pip install -q --upgrade pip &&
           .venv/bin/python -m pip install -q -e "$ROOT[kiosk-ui,dev]"; } >"$LOG" 2>&1; then
        cat "$LOG" >&2
        echo "setup: pip install failed (log above, also in $LOG)" >&2
        exit 1
    fi
    echo "$WANT" > "$STAMP"
fi
