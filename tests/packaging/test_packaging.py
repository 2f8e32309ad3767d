"""The kiosk bundle: ``packaging/build_kiosk.sh`` builds it, and the built binary works.

One build per module (a clean virtualenv + PyInstaller, ~1-2 minutes), then the binary is
run as a station would run it, with no Python of ours on the path: ``--help``, ``init``
with a county public file, ``submit complaint --json -`` (the sealed record opens with the
county key and equals the input), ``checklist`` (the JSON data file is inside), and ``run``
offscreen until Kivy's main loop starts, with the bundled CJK font open.

Needs python3 with venv and a shared libpython, and pip access to the package index (as
``scripts/setup.sh`` does). Off CI a missing prerequisite skips with the reason; with
``CI=true`` nothing skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.cli import build_parser
from shared.envelope import open_
from shared.intake import IntakePayload
from shared.keys import Keyring
from shared.receipt import verify_receipt
from shared.records import parse_complaint
from tests.kiosk.kiosk_kit import KIOSK, PASSPHRASE, Folder, complaint, county_public, person

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "packaging" / "build_kiosk.sh"
BUILD_TIMEOUT = float(os.environ.get("YIZHAN_BUILD_TIMEOUT", "900"))
RUN_DEADLINE = 90.0  # seconds for the frozen app to reach Kivy's main loop (llvmpipe, 2 cores)
MAIN_LOOP = "Start application main loop"
FONT_IN_BUNDLE = Path("_internal", "pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf")


def _missing_prerequisite() -> str | None:
    if not sysconfig.get_config_var("Py_ENABLE_SHARED"):
        return f"{sys.executable} has no shared libpython, which PyInstaller needs"
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        return "python3 has no venv/ensurepip (Debian: apt-get install python3-venv)"
    return None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built onedir bundle folder (``.../yizhan-kiosk``), built once for this module."""
    reason = _missing_prerequisite()
    if reason and os.environ.get("CI") != "true":
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    proc = subprocess.run(["bash", str(BUILD), str(out)], capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, env={**os.environ, "PYTHON": sys.executable},
                          check=False)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout}\n{proc.stderr}"
    folder = out / "yizhan-kiosk"
    # The script's last two lines name the folder and its size.
    assert f"built: {folder}" in proc.stdout.splitlines()
    print(f"build: {time.monotonic() - started:.0f} s, {proc.stdout.splitlines()[-1]}")
    return folder


@pytest.fixture(scope="module")
def binary(bundle: Path) -> Path:
    exe = bundle / "yizhan-kiosk"
    assert exe.is_file()
    assert os.access(exe, os.X_OK)
    return exe


@pytest.fixture(scope="module")
def county() -> tuple[Keyring, dict[str, Any]]:
    keys = Keyring([X25519PrivateKey.generate()])
    return keys, county_public(keys, Ed25519PrivateKey.generate())


def frozen_env(tmp: Path) -> dict[str, str]:
    """The environment a station gives the binary: no venv, no PYTHONPATH, a Kivy home."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = "/usr/bin:/bin"
    env["YIZHAN_STAFF_PASSPHRASE"] = PASSPHRASE
    env["KIVY_HOME"] = str(tmp / "kivy-home")
    return env


@pytest.fixture(scope="module")
def station(binary: Path, county: tuple[Keyring, dict[str, Any]],
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kiosk data folder made by the built binary's ``init``, enrolled offline."""
    tmp = tmp_path_factory.mktemp("station")
    county_file = tmp / "county-public.json"
    county_file.write_text(json.dumps(county[1], ensure_ascii=False), "utf-8")
    data = tmp / "kiosk"
    proc = subprocess.run([str(binary), "init", "--data", str(data), "--station", "S042",
                           "--county-public", str(county_file), "--json"],
                          capture_output=True, text=True, env=frozen_env(tmp), cwd=tmp,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert made["station"] == "S042"
    assert made["enrolled"] is True
    return data


def test_help_is_the_source_cli_help(binary: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    proc = subprocess.run([str(binary), "--help"], capture_output=True, text=True,
                          env={**frozen_env(tmp_path), "COLUMNS": "100"}, cwd=tmp_path,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == build_parser().format_help()
    assert "    submit " in proc.stdout


def test_submit_seals_a_record_the_county_opens(binary: Path, station: Path, tmp_path: Path,
                                                county: tuple[Keyring, dict[str, Any]]) -> None:
    record = complaint(7)
    proc = subprocess.run([str(binary), "submit", "complaint", "--json", "-",
                           "--data", str(station)],
                          input=json.dumps(record, ensure_ascii=False), capture_output=True,
                          text=True, env=frozen_env(tmp_path), cwd=tmp_path, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    receipt = json.loads(proc.stdout)
    assert set(receipt) == {"receipt_code", "pin", "record_id", "filed_at", "qr_payload"}

    folder = Folder(station)
    folder.verify_chain()
    env = next(e for e in folder.envelopes() if e.header.id == receipt["record_id"])
    payload = IntakePayload.from_wire(open_(env, county[0].private_keys))
    assert payload.record.to_wire() == parse_complaint(record).to_wire()  # normalised (E.164)
    assert payload.station == "S042"
    device = env.header.device
    claims = verify_receipt(receipt["qr_payload"], {device: folder.device_public()})
    assert claims.record_hash == env.hash
    # The frozen app keeps the same promise as the source: no personal data in plaintext.
    name = person(7)["name"].encode()
    for path in station.rglob("*"):
        if path.is_file():
            assert name not in path.read_bytes(), path


def test_checklist_comes_from_the_bundled_data_file(binary: Path, station: Path,
                                                    tmp_path: Path) -> None:
    frozen = subprocess.run([str(binary), "checklist", "wage_arrears", "--json",
                             "--data", str(station)],
                            capture_output=True, text=True, env=frozen_env(tmp_path),
                            cwd=tmp_path, timeout=60, check=False)
    assert frozen.returncode == 0, frozen.stderr
    source = subprocess.run([*KIOSK, "checklist", "wage_arrears", "--json",
                             "--data", str(station)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert source.returncode == 0, source.stderr
    sheet = json.loads(frozen.stdout)
    assert sheet == json.loads(source.stdout)
    assert sheet["title"] == "欠薪"
    assert sheet["documents"]


def _open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:  # closed between listing and reading
            continue
    return found


@pytest.fixture
def running_app(binary: Path, station: Path, tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """``yizhan-kiosk run`` offscreen; yields (process, stderr log); terminated after."""
    env = frozen_env(tmp_path)
    env.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1")
    log = tmp_path / "run.log"
    with log.open("wb") as err:  # a file, not a pipe: a full pipe would block the app
        proc = subprocess.Popen([str(binary), "run", "--data", str(station)],
                                stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=tmp_path)
    try:
        yield proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def test_run_reaches_the_main_loop_offscreen_with_the_bundled_font(
        running_app: tuple[Any, Path], bundle: Path) -> None:
    proc, log = running_app
    font = str(bundle / FONT_IN_BUNDLE)
    assert Path(font).is_file()
    deadline = time.monotonic() + RUN_DEADLINE
    font_open = False
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        assert proc.poll() is None, f"the app exited with {proc.returncode}:\n{text}"
        if MAIN_LOOP in text:
            # Labels are rendered in the first frames: the font SDL_ttf opened must be the
            # one inside the bundle (not a system font, not the build venv's copy).
            font_open = font in _open_files(proc.pid)
            if font_open:
                break
        time.sleep(0.2)  # polling a real condition, bounded by the deadline
    text = log.read_text("utf-8", errors="replace")
    assert MAIN_LOOP in text, f"no main loop within {RUN_DEADLINE} s:\n{text}"
    assert font_open, f"the bundled font {font} is not open; open files: " \
                      f"{sorted(_open_files(proc.pid))}"
    assert "Failed to execute script" not in text


def _unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit's settings, KEY -> values in order (sections merged; keys are unique
    across this unit's sections)."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def test_service_unit_runs_the_bundle_on_an_initialised_data_folder(station: Path) -> None:
    unit = _unit(ROOT / "packaging" / "yizhan-kiosk.service")
    [exec_start] = unit["ExecStart"]
    assert exec_start.endswith("-- /opt/yizhan-kiosk/yizhan-kiosk run --fullscreen")
    assert unit["User"] == ["yizhan"]
    assert unit["StateDirectory"] == ["yizhan-kiosk"]
    data = Path("/var/lib/yizhan-kiosk")
    assert f"YIZHAN_KIOSK_DATA={data}" in unit["Environment"]
    assert "KIVY_NO_ARGS=1" in unit["Environment"]
    # The unit refuses to start before 'init'; the file it waits for is one init makes.
    [required] = unit["AssertPathExists"]
    assert Path(required).parent == data
    assert (station / Path(required).name).is_file()
