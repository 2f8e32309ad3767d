"""What a copied folder costs an attacker: PIN guesses and passphrase guesses per second,
the old protection beside the new, in the same run on one core.

    python bench/secrets_at_rest.py [--seconds 3]

1. Receipt PIN verifiers: guesses/s against a legacy v1 verifier (one SHA-256) and against
   an ``s1`` verifier (scrypt N=2^13, r=8), and what the 10^6 PINs of one receipt cost.
2. County key files: one passphrase guess against a legacy PKCS#8 file (PBKDF2, 2,048
   rounds, what ``BestAvailableEncryption`` wrote) and against the scrypt wrap
   (N=2^17, r=8); what 10^6 and 10^8 guesses cost.
3. The station key (staff passphrase): one guess (scrypt N=2^15, r=8).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.services.stationkey import unwrap_station_key, wrap_station_key
from shared.keyfile import dump_private, load_private
from shared.keys import private_to_pem
from shared.receipt import legacy_pin_verifier, new_code, pin_matches, pin_verifier

PASS = b"a long enough bench passphrase"


def _rate(fn: Callable[[int], object], seconds: float) -> float:
    """Calls of ``fn`` per second over about ``seconds`` (at least 3 calls)."""
    n, start = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - start < seconds:
        fn(n)
        n += 1
    return n / (time.perf_counter() - start)


def _span(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args()
    out: dict[str, float] = {}

    code = new_code()
    legacy, s1 = legacy_pin_verifier(code, "204917"), pin_verifier(code, "204917")
    for name, verifier in (("pin_legacy_sha256", legacy), ("pin_s1_scrypt", s1)):
        rate = _rate(lambda i, v=verifier: pin_matches(code, f"{i:06d}", v), args.seconds)
        out[name] = rate
        print(f"{name:<22} {rate:>12,.1f} guesses/s   10^6 PINs of one receipt: "
              f"{_span(1e6 / rate)} of one core")

    key = X25519PrivateKey.generate()
    old, new = private_to_pem(key, PASS), dump_private(key, PASS)
    for name, data in (("county_key_pbkdf2", old), ("county_key_scrypt", new)):
        rate = _rate(lambda _i, d=data: load_private(d, PASS), args.seconds)
        out[name] = rate
        print(f"{name:<22} {1000 / rate:>9,.1f} ms/guess   10^6 guesses: {_span(1e6 / rate)}, "
              f"10^8: {_span(1e8 / rate)}")

    wrapped = wrap_station_key(key, PASS)
    rate = _rate(lambda _i: unwrap_station_key(wrapped, PASS), args.seconds)
    out["station_key_scrypt"] = rate
    print(f"{'station_key_scrypt':<22} {1000 / rate:>9,.1f} ms/guess   10^8 guesses: "
          f"{_span(1e8 / rate)}")
    print(json.dumps({k: round(v, 2) for k, v in out.items()}))


if __name__ == "__main__":
    main()
