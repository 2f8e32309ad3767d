"""Staff are told when the county's answer failed verification (no window needed): the
outbox panel carries the warning until a sync succeeds, and the failed action says it."""

from __future__ import annotations

import pytest

from kiosk.sync.errors import UnverifiedAnswer
from kiosk.ui.i18n import translator
from kiosk.ui.staff_text import failure_text, outbox_text

COUNTS = {"pending": 2, "sent": 0, "acknowledged": 5, "quarantined": 0,
          "last_sync": "2026-11-21T02:00:00.000Z", "last_error": None}


@pytest.mark.parametrize(("lang", "words"), [
    ("zh-CN", "未通过验证"),  # staff's language first
    ("en", "failed verification"),
])
def test_the_outbox_panel_warns_while_the_last_answer_failed_verification(
        lang: str, words: str) -> None:
    translator.lang = lang
    try:
        warned = outbox_text({**COUNTS, "unverified": True,
                              "last_error": "county answer failed verification: x"}, [])
        assert words in warned.splitlines()[2]  # right under the counts and last sync
        assert words not in outbox_text({**COUNTS, "unverified": False}, [])
        assert words not in outbox_text(COUNTS, [])  # a kiosk that never saw one
        assert words in failure_text(UnverifiedAnswer("changes page from cursor 7"))
    finally:
        translator.reset()
