"""Files from outside cannot hurt the county or a kiosk (issue 9, part 1 and the bundle bomb).

Played as an attacker would: a folder standing for a USB stick holds a planted symbolic link
next to the bundle (``X.ack.yzb.part``, ``FILE.part``) or at the output name itself, pointing
at ``server.db``, a county key, ``kiosk.db`` or the device key. The real ``yizhan-server`` and
``yizhan-kiosk`` processes run against it; afterwards every target is byte-identical, the
refusals exit non-zero naming the file, and the store still has every case. A 510 KB gzip
bomb is refused by ``import-bundle`` within a small peak RSS (measured with ``os.wait4``).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, server_cli


def _submit(data: Path, n: int, start: int = 0) -> None:
    kiosk_cli(data, "submit", "complaint", "--json", "-",
              input_text=json.dumps([complaint(start + i) for i in range(n)]))


def _cases(county: Path) -> int:
    return len(server_cli("export", "--data", str(county)).stdout.splitlines())


def _county_targets(county: Path) -> list[Path]:
    return [county / "server.db", county / "server-key.pem",
            sorted((county / "county-keys").glob("*.pem"))[0], county / "county-secret"]


def _county_with_cases(make_kiosk: Callable[[str], Path], county: Path,
                       server: ServerProcess) -> Path:
    kiosk = make_kiosk("S201")
    _submit(kiosk, 3)
    kiosk_cli(kiosk, "sync")
    server.stop()  # nothing else touches the county files from here on
    assert _cases(county) == 3
    return kiosk


def test_a_garbage_bundle_beside_a_planted_part_link_leaves_the_county_whole(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    _county_with_cases(make_kiosk, county, server)
    stick = tmp_path / "usb"
    stick.mkdir()
    garbage = stick / "night.yzb"
    garbage.write_bytes(os.urandom(4096))
    for target in _county_targets(county):
        before = target.read_bytes()
        link = stick / "night.ack.yzb.part"  # the name the old import truncated first
        link.symlink_to(target)
        done = server_cli("import-bundle", str(garbage), "--data", str(county), check=False)
        assert target.read_bytes() == before, f"{target.name} was changed"
        assert done.returncode == 1
        assert "night.yzb" in done.stderr
        assert "Traceback" not in done.stderr
        link.unlink()
    assert _cases(county) == 3
    server_cli("devices", "--data", str(county))  # the keys still load


def test_a_link_at_the_ack_path_refuses_the_import_before_anything_is_stored(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = _county_with_cases(make_kiosk, county, server)
    _submit(kiosk, 2, start=10)
    stick = tmp_path / "usb"
    stick.mkdir()
    bundle = stick / "night.yzb"
    kiosk_cli(kiosk, "export-bundle", str(bundle))
    target = county / "server.db"
    before = target.read_bytes()
    (stick / "night.ack.yzb").symlink_to(target)
    done = server_cli("import-bundle", str(bundle), "--data", str(county), check=False)
    assert done.returncode == 1
    assert "night.ack.yzb is a symbolic link" in done.stderr
    assert target.read_bytes() == before
    assert _cases(county) == 3  # refused before the two new records were stored
    # An earlier ack bundle at that name is the command's own output: a re-import replaces it
    (stick / "night.ack.yzb").unlink()
    server_cli("import-bundle", str(bundle), "--data", str(county))
    server_cli("import-bundle", str(bundle), "--data", str(county))
    assert _cases(county) == 5
    # Anything else there is refused unless --force
    other = stick / "other.yzb"
    other.write_bytes(bundle.read_bytes())
    (stick / "other.ack.yzb").write_text("staff notes")
    refused = server_cli("import-bundle", str(other), "--data", str(county), check=False)
    assert refused.returncode == 1
    assert "already exists" in refused.stderr
    assert (stick / "other.ack.yzb").read_text() == "staff notes"
    server_cli("import-bundle", str(other), "--data", str(county), "--force")


def test_export_bundle_never_writes_through_a_planted_link(
        make_kiosk: Callable[[str], Path], server: ServerProcess, tmp_path: Path) -> None:
    kiosk = make_kiosk("S202")
    _submit(kiosk, 2)
    stick = tmp_path / "usb"
    stick.mkdir()
    bundle = stick / "s202.yzb"
    targets = [kiosk / "kiosk.db", kiosk / "device-key.pem", kiosk / "station-key.json"]
    before = {t: t.read_bytes() for t in targets}
    for target in targets:  # the name the old export truncated and wrote first
        link = stick / "s202.yzb.part"
        link.symlink_to(target)
        done = kiosk_cli(kiosk, "export-bundle", str(bundle), "--json", check=False)
        assert target.read_bytes() == before[target], f"{target.name} was changed"
        assert json.loads(done.stdout)["records"] == 2
        link.unlink()
    for target in targets:  # the output name itself is a link
        bundle.unlink()
        bundle.symlink_to(target)
        done = kiosk_cli(kiosk, "export-bundle", str(bundle), check=False)
        assert done.returncode == 3
        assert "s202.yzb is a symbolic link" in done.stderr
        assert bundle.is_symlink()
    assert {t: t.read_bytes() for t in targets} == before
    assert json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)["pending"] == 2


def test_export_bundle_replaces_only_an_earlier_bundle_without_force(
        make_kiosk: Callable[[str], Path], server: ServerProcess, tmp_path: Path) -> None:
    kiosk = make_kiosk("S203")
    _submit(kiosk, 1)
    bundle = tmp_path / "s203.yzb"
    kiosk_cli(kiosk, "export-bundle", str(bundle))
    kiosk_cli(kiosk, "export-bundle", str(bundle))  # last week's bundle: replaced
    notes = tmp_path / "notes.txt"
    notes.write_text("不要覆盖")
    done = kiosk_cli(kiosk, "export-bundle", str(notes), check=False)
    assert done.returncode == 3
    assert "already exists" in done.stderr
    assert notes.read_text() == "不要覆盖"
    kiosk_cli(kiosk, "export-bundle", str(notes), "--force")
    assert gzip.decompress(notes.read_bytes()).startswith(b'{"created_at":')


def test_export_output_and_token_qr_never_write_through_a_link(county: Path,
                                                              tmp_path: Path) -> None:
    target = county / "server.db"
    server_cli("export", "--data", str(county))  # the store exists
    before = target.read_bytes()
    link = tmp_path / "cases.jsonl"
    link.symlink_to(target)
    done = server_cli("export", "--data", str(county), "--output", str(link), check=False)
    assert done.returncode == 1
    assert "symbolic link" in done.stderr
    qr = tmp_path / "token.png"
    qr.symlink_to(target)
    done = server_cli("enroll-token", "--station", "S001", "--data", str(county),
                      "--qr-png", str(qr), check=False)
    assert done.returncode == 1
    assert "symbolic link" in done.stderr
    assert target.read_bytes() == before
    out = tmp_path / "real.jsonl"
    server_cli("export", "--data", str(county), "--output", str(out))
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # personal data: the owner only
    again = server_cli("export", "--data", str(county), "--output", str(out), check=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    server_cli("export", "--data", str(county), "--output", str(out), "--force")


def _bomb(path: Path, inflated: int) -> None:
    """A gzip file of ``inflated`` zero bytes, written in chunks (no big buffer here)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    with open(path, "wb") as fh:
        for _ in range(inflated >> 20):
            fh.write(deflate.compress(chunk))
        fh.write(deflate.flush())


# A small launcher process runs the command and reports its peak RSS: Linux carries the
# forking process's resident size into the child's ru_maxrss (it is the high-water mark of the
# copied address space until exec), so forking from a pytest process that has grown to
# hundreds of MiB would measure pytest, not the command.
_LAUNCHER = """
import resource, subprocess, sys
def guard():  # if the bound is broken, fail here rather than starve the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, preexec_fn=guard)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_rss_mib(cmd: list[str]) -> tuple[int, str, float]:
    """Run ``cmd``; returns (exit status, stderr, peak RSS in MiB of that process alone)."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True,
                          text=True, check=False)
    status, maxrss_kib = done.stdout.split()
    return int(status), done.stderr, int(maxrss_kib) / 1024


def test_a_510_kb_bundle_bomb_is_refused_in_little_memory(county: Path,
                                                          tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yzb"
    _bomb(bomb, 500 << 20)  # under the old 512 MiB cap: the old import parsed it all
    assert bomb.stat().st_size < 600_000
    status, err, rss = _peak_rss_mib(["yizhan-server", "import-bundle", str(bomb), "--data",
                                      str(county)])
    assert rss < 200, f"peak RSS {rss:.0f} MiB"
    assert status == 1, err
    assert "bomb.yzb" in err
    assert "inflates past" in err
    assert "limit" in err
    assert "Traceback" not in err
    assert not list(tmp_path.glob("*.ack.yzb*"))
    assert not list(tmp_path.glob(".*.part"))


def test_huge_integers_in_bundle_and_ack_files_are_clear_errors(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = make_kiosk("S204")
    digits = b"9" * 5000  # past Python's int_max_str_digits (4300)
    bundle = tmp_path / "huge.yzb"
    bundle.write_bytes(gzip.compress(b'{"created_at":' + digits + b"}"))
    done = server_cli("import-bundle", str(bundle), "--data", str(county), check=False)
    assert done.returncode == 1
    assert "huge.yzb" in done.stderr
    assert "Traceback" not in done.stderr
    ack = tmp_path / "huge.ack"
    ack.write_bytes(gzip.compress(b'{"ack":' + digits + b"}"))
    done = kiosk_cli(kiosk, "import-ack", str(ack), check=False)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("yizhan-kiosk: ")


def test_an_ack_bomb_and_a_device_as_ack_file_are_refused_on_the_kiosk(
        make_kiosk: Callable[[str], Path], tmp_path: Path) -> None:
    kiosk = make_kiosk("S205")
    _submit(kiosk, 1)
    bomb = tmp_path / "bomb.ack.yzb"
    _bomb(bomb, 500 << 20)
    done = kiosk_cli(kiosk, "import-ack", str(bomb), check=False)
    assert done.returncode == 3
    assert f"{bomb}: bundle of" in done.stderr
    assert "inflates past" in done.stderr
    link = tmp_path / "zero.ack.yzb"
    link.symlink_to("/dev/zero")  # read for ever before: now not a regular file
    done = kiosk_cli(kiosk, "import-ack", str(link), check=False, timeout=60)
    assert done.returncode == 3
    assert "is not a regular file" in done.stderr
    assert json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)["pending"] == 1
