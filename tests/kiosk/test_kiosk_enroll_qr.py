"""``yizhan-kiosk enroll --token-qr PNG``: the token (and the server address) read from the QR
picture that the real ``yizhan-server enroll-token --qr-png`` wrote, against a real
``yizhan-server serve`` process; every picture that is not a token refused with the reason."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.root import KioskServices
from kiosk.services.qr_reader import token_from_picture
from shared import EnrollmentTokenError, qr_png
from tests.kiosk.kiosk_kit import KIOSK, PASSPHRASE
from tests.kiosk.ui.camera_kit import receipt_payload
from tests.sync_server.server_kit import ServerProcess, server_cli

STATION = "S001"


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, "--data", str(data), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False,
                          env={**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE})


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    """A kiosk for STATION, not enrolled."""
    data = tmp_path / "kiosk"
    made = kiosk(data, "init", "--station", STATION)
    assert made.returncode == 0, made.stderr
    return data


def token_png(county: Path, path: Path, station: str = STATION,
              server_url: str | None = None) -> dict[str, str]:
    """Have the server CLI write a token QR to ``path``; returns what it printed."""
    extra = ["--server-url", server_url] if server_url else []
    return dict(json.loads(server_cli("enroll-token", "--station", station, "--data",
                                      str(county), "--qr-png", str(path), "--json",
                                      *extra).stdout))


def enrolled_devices(county: Path) -> list[dict[str, object]]:
    return list(json.loads(server_cli("devices", "--data", str(county), "--json").stdout))


def test_the_server_cli_writes_what_the_kiosk_reads(county: Path, tmp_path: Path) -> None:
    printed = token_png(county, tmp_path / "t.png", server_url="http://10.0.0.5:8080")
    assert token_from_picture(tmp_path / "t.png").to_wire() == printed
    # A bad station or server address is refused before any token is stored.
    for args, option in ((["--station", "S 001"], "--station"),
                         (["--station", STATION, "--server-url", "county:8600"],
                          "--server-url")):
        refused = server_cli("enroll-token", "--data", str(county), *args, check=False)
        assert refused.returncode == 1
        assert option in refused.stderr


def test_enroll_with_the_token_qr_alone(county: Path, server: ServerProcess, kiosk_dir: Path,
                                        tmp_path: Path) -> None:
    png = tmp_path / "token.png"
    printed = token_png(county, png, server_url=server.url)
    done = kiosk(kiosk_dir, "enroll", "--token-qr", str(png), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "a good token for this station: no warnings"
    result = json.loads(done.stdout)
    assert result["station"] == STATION
    [device] = enrolled_devices(county)
    assert device["device_id"] == result["device_id"]
    assert device["station"] == STATION
    services = KioskServices.open(kiosk_dir)
    try:
        assert services.server_url() == server.url == printed["server"], \
            "the address came from the QR"
    finally:
        services.close()


def test_a_qr_without_a_server_needs_server_and_another_station_is_warned(
        county: Path, server: ServerProcess, kiosk_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "other.png"
    token_png(county, png, station="S002")
    no_server = kiosk(kiosk_dir, "enroll", "--token-qr", str(png))
    assert no_server.returncode == 2
    assert "--server is needed" in no_server.stderr
    refused = kiosk(kiosk_dir, "enroll", "--token-qr", str(png), "--server", server.url)
    assert "warning: the token is for station S002, but this kiosk is station S001" in \
        refused.stderr
    assert refused.returncode == 3
    assert "station_mismatch" in refused.stderr
    assert enrolled_devices(county) == []


@pytest.mark.parametrize(("picture", "says"), [
    # a worker's receipt QR held up instead of the token
    (lambda: qr_png(receipt_payload("K7Q2M9XPA34")), "receipt QR code, not an enrollment"),
    # some other QR code
    (lambda: qr_png("https://county.example/"), "not an enrollment token"),
    # a picture with no QR code at all
    (lambda: _blank_png(), "no QR code found"),
    # not a picture
    (lambda: b"token: abc\n", "not a picture"),
])
def test_a_picture_that_is_not_a_token_is_refused(kiosk_dir: Path, tmp_path: Path,
                                                  picture, says: str) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(picture())
    out = kiosk(kiosk_dir, "enroll", "--token-qr", str(path), "--server", "http://127.0.0.1:9")
    assert out.returncode == 2
    assert says in out.stderr
    assert str(path) in out.stderr, "the message names the file"


def test_token_and_token_qr_are_one_or_the_other(kiosk_dir: Path, tmp_path: Path) -> None:
    both = kiosk(kiosk_dir, "enroll", "--server", "http://127.0.0.1:9", "--token", "x" * 20,
                 "--token-qr", str(tmp_path / "t.png"))
    assert both.returncode == 2
    assert "not allowed with" in both.stderr
    neither = kiosk(kiosk_dir, "enroll", "--server", "http://127.0.0.1:9")
    assert neither.returncode == 2
    assert "one of the arguments --token --token-qr is required" in neither.stderr


def test_the_first_token_among_several_qr_codes_is_read(county: Path, tmp_path: Path) -> None:
    token_png(county, tmp_path / "t.png")
    sheet = Image.new("L", (1400, 700), 255)
    sheet.paste(Image.open(tmp_path / "t.png"), (720, 20))
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(qr_png(receipt_payload("K7Q2M9XPA34")))
    sheet.paste(Image.open(receipt), (20, 20))
    sheet.save(tmp_path / "sheet.png")
    assert token_from_picture(tmp_path / "sheet.png").station == STATION
    with pytest.raises(EnrollmentTokenError) as caught:
        token_from_picture(receipt)
    assert caught.value.code == "receipt"


def _blank_png() -> bytes:
    import io

    buf = io.BytesIO()
    Image.new("RGB", (200, 200), (255, 255, 255)).save(buf, format="PNG")
    return buf.getvalue()
