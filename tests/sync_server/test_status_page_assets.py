"""The status page's files: the vendored Ed25519 code is the registry's, byte for byte, with
its licence; the page's own script stays plain ES2017 without eval or third-party hosts."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "sync_server" / "api" / "status_assets"
NACL_SHA256 = "973cc5733cc7432e30ee4682098f413094f494bccf76a567c23908c5035ddbbc"


def test_vendored_tweetnacl_is_pinned_by_hash_with_its_licence() -> None:
    digest = hashlib.sha256((ASSETS / "nacl.min.js").read_bytes()).hexdigest()
    assert digest == NACL_SHA256
    assert NACL_SHA256 in (ASSETS / "VENDORED.md").read_text(encoding="utf-8")
    assert "public domain" in (ASSETS / "nacl-LICENSE.txt").read_text(encoding="utf-8")


def test_page_script_is_plain_and_talks_only_to_its_own_origin() -> None:
    js = (ASSETS / "status.js").read_text(encoding="utf-8")
    for banned in ("eval(", "new Function", "innerHTML", "document.write", "localStorage",
                   "sessionStorage", "document.cookie", "import ", "=>", "?.", "??"):
        assert banned not in js, banned
    assert not re.search(r"https?://", js)  # every request is relative to the page's origin
    html = (ASSETS / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"(?:src|href)=\"https?:", html)
    assert "<script>" not in html
    assert "style=" not in html
    # no input has a name, so nothing typed can ride a form submission into a URL
    assert not re.search(r"<(?:input|select|textarea)[^>]*\bname=", html)
    assert "<input" in html
