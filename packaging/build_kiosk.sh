#!/usr/bin/env bash
# Build the kiosk as a onedir PyInstaller bundle: OUT_DIR/yizhan-kiosk/yizhan-kiosk plus its
# _internal/ folder (Python, Kivy + SDL2, the CJK font, the .kv layouts, the checklists, the
# pinyin dictionary index kiosk/input/data). The handwriting model and espeak-ng are not in
# the bundle: the station gets them from Debian (libzinnia0 tegaki-zinnia-simplified-chinese
# espeak-ng; packaging/README.md).
# The station machine needs no Python: copy the whole folder (packaging/README.md).
#
#   packaging/build_kiosk.sh [OUT_DIR]       default OUT_DIR: dist/ in the repository
#
# Builds from a clean temporary virtualenv holding only this project with its kiosk-ui and
# packaging extras (a developer venv with numpy, opencv, ... would be swept into the bundle).
# Needs python3 (3.11+, built with a shared libpython, as Debian's is) with venv, and pip
# access to the package index (or a pip cache/mirror). Environment:
#   PYTHON=python3.11        the interpreter to build with (default python3)
#   YIZHAN_BUILD_KEEP=1      keep the temporary folder (venv, PyInstaller's work files)
# Prints the bundle's folder and size on the last two lines; exits non-zero on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
OUT=${1:-$ROOT/dist}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "build_kiosk: $PY is older than Python 3.11" >&2; exit 2; }
"$PY" -c 'import sysconfig, sys; sys.exit(not sysconfig.get_config_var("Py_ENABLE_SHARED"))' || {
    echo "build_kiosk: $PY has no shared libpython, which PyInstaller needs" \
         "(Debian's python3 has one; pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/yizhan-build.XXXXXX")
if [ "${YIZHAN_BUILD_KEEP:-}" = 1 ]; then
    echo "build_kiosk: keeping $WORK"
else
    trap 'rm -rf "$WORK"' EXIT
fi

# A copy of the sources, so pip's in-tree build leaves no build/ or *.egg-info behind in the
# repository (and uncommitted caches never reach the bundle).
echo "== copying the sources to $WORK/src"
mkdir -p "$WORK/src"
(cd "$ROOT" && tar --exclude=__pycache__ --exclude='*.pyc' -cf - \
    pyproject.toml README.md shared kiosk sync_server) | tar -xf - -C "$WORK/src"

echo "== clean virtualenv: yizhan[kiosk-ui,packaging] (pip log: $WORK/pip.log)"
"$PY" -m venv "$WORK/venv"
VPY=$WORK/venv/bin/python
if ! "$VPY" -m pip install -q "$WORK/src[kiosk-ui,packaging]" >"$WORK/pip.log" 2>&1; then
    cat "$WORK/pip.log" >&2
    echo "build_kiosk: pip install failed (log above)" >&2
    exit 1
fi
"$VPY" -m PyInstaller --version | sed 's/^/PyInstaller /'

echo "== PyInstaller (log: $WORK/pyinstaller.log)"
# The analysis imports Kivy: keep its config and logs in the work folder, not in ~/.kivy,
# and stop it from reading PyInstaller's command line as its own options.
export KIVY_HOME=$WORK/kivy KIVY_NO_ARGS=1 KIVY_NO_CONFIG=1 KIVY_NO_FILELOG=1
# cwd = the work folder: the repository root must not be on the analysis path, or its
# packaging/ folder (no __init__) could shadow the 'packaging' library PyInstaller uses.
if ! (cd "$WORK" && "$VPY" -m PyInstaller --noconfirm --log-level WARN \
        --distpath "$WORK/dist" --workpath "$WORK/build" \
        "$ROOT/packaging/yizhan-kiosk.spec") >"$WORK/pyinstaller.log" 2>&1; then
    cat "$WORK/pyinstaller.log" >&2
    echo "build_kiosk: PyInstaller failed (log above)" >&2
    exit 1
fi

rm -rf "$OUT/yizhan-kiosk"
mv "$WORK/dist/yizhan-kiosk" "$OUT/yizhan-kiosk"
"$OUT/yizhan-kiosk/yizhan-kiosk" --help >/dev/null || {
    echo "build_kiosk: the built binary does not start ($OUT/yizhan-kiosk/yizhan-kiosk --help)" >&2
    exit 1; }
echo "built: $OUT/yizhan-kiosk"
echo "size: $(du -sh "$OUT/yizhan-kiosk" | cut -f1)"
