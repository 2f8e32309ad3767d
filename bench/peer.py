"""yizhan's sync beside CouchDB-style replication (PouchDB -> express-pouchdb), in one run.

The same N complaints (default 20,000; ~450 B of JSON each) travel from one client to one
server through ONE byte-counting TCP proxy on 127.0.0.1:

* the peer: a PouchDB database on disk (LevelDB) replicated to express-pouchdb (PouchDB on
  LevelDB on disk), plaintext, no merge. The npm packages are installed by this script into
  a cache folder (``--npm-cache``, default ~/.cache/yizhan-bench/peer; not committed) from
  the npm registry, pinned below;
* yizhan: a kiosk data folder holding the same records filed through the kiosk services
  (sealed, signed, chained; not timed), then a real ``yizhan-kiosk sync`` process against a
  real ``yizhan-server serve`` on SQLite (timed: the whole process, start to exit, with the
  command's defaults); with protocol v1 (what kiosks in the field run), v2
  (``YIZHAN_PROTOCOL=2``: sealing epochs, binary push, the v2 acknowledgement, the merge
  after the answer), or both (default), each with its own county. The v2 county answers
  once the records are stored and their chain verified and files them into the case store
  after the push (docs/sync.md, Deferred merge): the time until the last one is filed is
  printed too ("filed"), measured from the start of the sync.

The records are filed once per protocol (not timed); each of ``--runs`` runs syncs a fresh
copy of that kiosk and county. The kiosk code is byte-compiled first, as an installed kiosk
is (pip and PyInstaller compile it), so no run spends its time compiling Python.

Prints, per run, both wall times, bytes each way per record, and the ratios against the
targets of issue 17 (yizhan time <= 0.33x the peer's, bytes <= 0.6x), then the medians.

    python bench/peer.py [--records 20000] [--protocol 1|2|both] [--runs 3]
                         [--npm-cache DIR] [--max-batch N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_wire import enrolled_kiosk
from kiosk.root import KioskServices
from shared.canonical import canonical_bytes
from shared.records import parse_record
from tests.kiosk.kiosk_kit import complaint
from tests.sync_server.server_kit import ServerProcess, free_port, server_cli

NPM_PACKAGES = ["pouchdb@9.0.0", "express-pouchdb@4.2.0", "express@4.22.3"]
TIME_TARGET, BYTES_TARGET = 0.33, 0.6
PASSPHRASE = "staff-passphrase-42"  # noqa: S105  the bench kiosk's, not a secret

SERVER_JS = r"""
const express = require('express');
const PouchDB = require('pouchdb');
const dir = process.argv[2], port = Number(process.argv[3]);
const Db = PouchDB.defaults({prefix: dir + '/'});
const app = express();
app.use('/', require('express-pouchdb')(Db, {mode: 'minimumForPouchDB',
                                              logPath: dir + '/log.txt'}));
app.listen(port, '127.0.0.1', () => console.log('ready ' + port));
"""

CLIENT_JS = r"""
const fs = require('fs');
const PouchDB = require('pouchdb');
const [dir, docsFile, url] = process.argv.slice(2);
(async () => {
  const local = new PouchDB(dir + '/client');
  const docs = fs.readFileSync(docsFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
  for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
  await new PouchDB(url).info();  // creates the remote database: not part of the timing
  process.stdout.write('loaded\n');
  await new Promise(r => process.stdin.once('data', r));  // the proxy counters are reset
  const t0 = process.hrtime.bigint();
  const res = await local.replicate.to(url);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({seconds: s, docs_written: res.docs_written,
                                       ok: res.ok}) + '\n', () => process.exit(0));
})().catch(e => { console.error(e); process.exit(1); });
"""


class CountingProxy:
    """A TCP relay 127.0.0.1:<port> -> 127.0.0.1:<upstream>, counting bytes each way."""

    def __init__(self, upstream: int) -> None:
        self.upstream, self.port = upstream, free_port()
        self.up = self.down = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def reset(self) -> None:
        self.up = self.down = self.connections = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._relay, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, up: bool) -> None:
            try:
                while chunk := await src.read(65536):
                    if up:
                        self.up += len(chunk)
                    else:
                        self.down += len(chunk)
                    dst.write(chunk)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_w, True), pipe(up_r, writer, False))


def install_peer(cache: Path) -> Path:
    """npm-install the peer into ``cache`` (once) and write its scripts. Returns the folder."""
    cache.mkdir(parents=True, exist_ok=True)
    marker = cache / ".installed"
    if not marker.exists() or marker.read_text() != " ".join(NPM_PACKAGES):
        (cache / "package.json").write_text('{"name": "yizhan-peer-bench", "private": true}')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                        *NPM_PACKAGES], cwd=cache, check=True, timeout=900)
        marker.write_text(" ".join(NPM_PACKAGES))
    (cache / "server.js").write_text(SERVER_JS)
    (cache / "client.js").write_text(CLIENT_JS)
    return cache


def peer_docs(n: int) -> list[dict[str, object]]:
    """The records as the peer stores them: the canonical record plus an id and a kind."""
    return [{"_id": str(uuid.UUID(int=i + 1)), "kind": "complaint",
             **json.loads(canonical_bytes(parse_record("complaint", complaint(i)).to_wire()))}
            for i in range(n)]


def run_peer(node_dir: Path, root: Path, n: int) -> tuple[float, int, int, int]:
    """Replicate n docs through the proxy. Returns (seconds, bytes up, bytes down, written)."""
    data = root / "peer"
    data.mkdir(parents=True)
    docs = root / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as f:
        for d in peer_docs(n):
            f.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
    port = free_port()
    server = subprocess.Popen(["node", str(node_dir / "server.js"), str(data), str(port)],
                              stdout=subprocess.PIPE, text=True, cwd=node_dir)
    try:
        assert server.stdout is not None
        if not server.stdout.readline().startswith("ready"):
            raise RuntimeError("express-pouchdb did not start")
        threading.Thread(target=server.stdout.read, daemon=True).start()  # never let it block
        with CountingProxy(port) as proxy:
            client = subprocess.Popen(["node", str(node_dir / "client.js"), str(data),
                                       str(docs), f"{proxy.url}/bench"], cwd=node_dir,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert client.stdout is not None
            assert client.stdin is not None
            if client.stdout.readline().strip() != "loaded":
                raise RuntimeError("the PouchDB client could not load the records")
            proxy.reset()
            client.stdin.write("go\n")
            client.stdin.flush()
            result = json.loads(client.stdout.readline())
            client.wait(60)
            return float(result["seconds"]), proxy.up, proxy.down, int(result["docs_written"])
    finally:
        server.terminate()
        server.wait(10)


def prepare_yizhan(root: Path, n: int, protocol: str) -> tuple[Path, dict[str, str]]:
    """File n complaints on an enrolled kiosk (not timed), or reuse the filing a run with
    the same ``--keep`` folder made. Returns (the folder holding ``county`` and ``kiosk``,
    the environment of its sync). ``protocol`` "2": the kiosk's v2 switch on (it learns
    that the county takes v2 from a first, empty sync)."""
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE, "YIZHAN_PROTOCOL": protocol}
    root = root / f"yizhan-v{protocol}-{n}"
    if (root / "filed").exists():
        return root, env
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    county = root / "county"
    server_cli("init", "--county", "bench", "--no-passphrase", "--data", str(county))
    switch = os.environ.get("YIZHAN_PROTOCOL")
    os.environ["YIZHAN_PROTOCOL"] = protocol  # for the filing below, in this process
    try:
        with ServerProcess(county) as server:
            data = enrolled_kiosk(root, county, server.url)
            subprocess.run([sys.executable, "-m", "kiosk", "sync", "--data", str(data),
                            "--json"], capture_output=True, env=env, check=True, timeout=600)
            with KioskServices.open(data) as services:
                for i in range(n):
                    services.submit_complaint(complaint(i))
    finally:
        if switch is None:
            os.environ.pop("YIZHAN_PROTOCOL", None)
        else:
            os.environ["YIZHAN_PROTOCOL"] = switch
    (root / "filed").write_text(str(n))
    return root, env


def run_yizhan(prepared: Path, run: Path, env: dict[str, str], n: int,
               extra: tuple[str, ...]) -> tuple[float, float, int, int, dict[str, object]]:
    """Time one ``yizhan-kiosk sync`` process of a fresh copy of ``prepared`` through the
    proxy. Returns (seconds, seconds until the county filed every record, bytes up, bytes
    down, the sync's JSON)."""
    shutil.copytree(prepared, run, symlinks=True)
    with ServerProcess(run / "county") as server, CountingProxy(server.port) as proxy:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "kiosk", "sync", "--data",
                               str(run / "kiosk"), "--server", proxy.url, "--json", *extra],
                              capture_output=True, text=True, env=env, timeout=3600,
                              check=False)
        elapsed = time.monotonic() - started
        if done.returncode != 0:
            raise RuntimeError(f"yizhan-kiosk sync failed: {done.stderr[-2000:]}")
        print(f"  (yizhan sync took {elapsed:.2f} s; waiting for the county to file every "
              "record)", flush=True)
        server.wait_merged(timeout=3600)
        filed = time.monotonic() - started
        exported = server_cli("export", "--format", "jsonl", "--data", str(run / "county"))
        if len(exported.stdout.splitlines()) != n:
            raise RuntimeError("the county did not file every record")
        return elapsed, filed, proxy.up, proxy.down, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--npm-cache", type=Path,
                        default=Path.home() / ".cache" / "yizhan-bench" / "peer")
    parser.add_argument("--max-batch", type=int, default=None,
                        help="pass --max-batch N to 'yizhan-kiosk sync' (default: its own)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="keep the kiosks' filings in DIR and reuse them next time "
                        "(filing 20,000 records takes minutes; it is not timed)")
    parser.add_argument("--sync-arg", action="append", default=[],
                        help="an extra argument for 'yizhan-kiosk sync' (repeatable)")
    parser.add_argument("--protocol", choices=("1", "2", "both"), default="both",
                        help="yizhan sealing/push protocol: v1 (the default in the field), "
                             "v2 (YIZHAN_PROTOCOL=2), or both one after the other")
    args = parser.parse_args()
    n = args.records
    extra = tuple(args.sync_arg) + (("--max-batch", str(args.max_batch))
                                    if args.max_batch else ())
    node_dir = install_peer(args.npm_cache)
    root_pkg = Path(__file__).resolve().parent.parent
    for pkg in ("shared", "kiosk", "sync_server"):  # as installed: byte-compiled
        compileall.compile_dir(root_pkg / pkg, quiet=1)
    protocols = ("1", "2") if args.protocol == "both" else (args.protocol,)
    doc = json.dumps(peer_docs(1)[0], ensure_ascii=False, separators=(",", ":")).encode()
    print(f"records: {n} complaints (~{len(doc)} B of JSON each, as the peer stores them)")
    ratios: dict[str, list[tuple[float, float]]] = {v: [] for v in protocols}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepared = {v: prepare_yizhan(args.keep or root, n, v) for v in protocols}
        for k in range(args.runs):
            p_s, p_up, p_down, written = run_peer(node_dir, root / f"peer-{k}", n)
            p_b = (p_up + p_down) / n
            print(f"run {k + 1}: peer PouchDB -> express-pouchdb: {p_s:6.2f} s  up "
                  f"{p_up / n:6.1f} B/rec  down {p_down / n:6.1f} B/rec  total {p_b:6.1f} "
                  f"B/rec  (docs written {written})")
            for v in protocols:
                y_s, filed, y_up, y_down, summary = run_yizhan(
                    prepared[v][0], root / f"run-{k}-v{v}", prepared[v][1], n, extra)
                y_b = (y_up + y_down) / n
                t_ratio, b_ratio = y_s / p_s, y_b / p_b
                ratios[v].append((t_ratio, b_ratio))
                print(f"run {k + 1}: yizhan v{v} sync: {y_s:6.2f} s (filed {filed:6.2f} s)  up "
                      f"{y_up / n:6.1f} B/rec  down {y_down / n:6.1f} B/rec  total {y_b:6.1f} "
                      f"B/rec  (acknowledged {summary.get('acknowledged')})  time {t_ratio:.2f}x "
                      f"bytes {b_ratio:.2f}x")
    for v, rs in ratios.items():
        t_med = statistics.median(t for t, _ in rs)
        b_med = statistics.median(b for _, b in rs)
        print(f"median of {len(rs)} runs, v{v}/peer: time {t_med:.2f}x (target <= "
              f"{TIME_TARGET}x: {'met' if t_med <= TIME_TARGET else 'missed'}), bytes "
              f"{b_med:.2f}x (target <= {BYTES_TARGET}x: "
              f"{'met' if b_med <= BYTES_TARGET else 'missed'})")


if __name__ == "__main__":
    main()
