"""How strong a passphrase must be before it may protect key material.

One rule for the county key passphrase and the station (staff) passphrase:

* at least ``MIN_CHARACTERS`` characters, counted as Unicode characters after NFC (so
  ``一二`` is 2, not 6 bytes), and not only spaces;
* an estimated ``10**MIN_GUESSES_LOG10`` guesses or more by ``zxcvbn`` (Dropbox's estimator:
  common-password lists, dictionary words, keyboard walks, repeats, sequences and dates),
  fed with the words of the context (county, station) and a short list of passwords common
  in China that its English lists lack.

Why 10^8 guesses: both wraps use scrypt (county keys ~0.3 s, station key ~0.07 s a guess on
this project's machines), so 10^8 guesses cost an attacker about 80 days (station) to 350 days
(county) of one core. Random 8-character mixed passwords sit at the boundary; four common
words or a sentence pass easily.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from zxcvbn import zxcvbn

from shared._errors import WeakPassphrase

MIN_CHARACTERS = 8
MIN_GUESSES_LOG10 = 8.0

# Passwords common in Chinese leaks that zxcvbn's English lists do not rank (pinyin phrases,
# number puns on 我爱你 / 一生一世); zxcvbn treats them as user words, i.e. guessed first.
_COMMON_IN_CHINA = (
    "5201314", "1314520", "woaini", "woaini1314", "woaini520", "iloveyou1314", "aini1314",
    "qq123456", "a123456", "abc123456", "zxcvbnm", "147258369", "159357", "123qwe",
    "yizhan", "yizhanshi", "zhongguo", "beijing", "laodong", "mima", "mima123",
    "我爱你一生一世", "我爱你",
)
# Chinese numerals are digits to a guesser: 一二三四五六七八 is 12345678.
_NUMERALS = str.maketrans("〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖",
                          "00123456789123456789")

# zxcvbn reads only the first 72 characters; longer passphrases are rated on those.
_ZXCVBN_MAX = 72


def check_passphrase(passphrase: str | bytes, context: Iterable[str] = ()) -> None:
    """Return None if ``passphrase`` may protect key material.

    ``context`` names words an attacker would try first (county name, station id).
    Raises WeakPassphrase (zh-CN and English reasons) if it is too short or too easy to guess;
    bytes that are not UTF-8 are judged by their length alone.
    """
    if isinstance(passphrase, bytes):
        try:
            text = passphrase.decode("utf-8")
        except UnicodeDecodeError:
            text = passphrase.decode("latin-1")
    else:
        text = passphrase
    text = unicodedata.normalize("NFC", text)
    if len(text.strip()) < MIN_CHARACTERS:
        raise WeakPassphrase(f"口令至少需要 {MIN_CHARACTERS} 个字符（现有 {len(text.strip())} 个）",
                             f"the passphrase needs at least {MIN_CHARACTERS} characters "
                             f"(it has {len(text.strip())})")
    words = [w for w in (*context, *_COMMON_IN_CHINA) if w]
    # NFKC for the estimate only: full-width ０-９ and Ａ-Ｚ are the ASCII a guesser tries.
    guessable = unicodedata.normalize("NFKC", text).translate(_NUMERALS)
    result = zxcvbn(guessable[:_ZXCVBN_MAX], user_inputs=words)
    if float(result["guesses_log10"]) < MIN_GUESSES_LOG10:
        warning = str(result["feedback"].get("warning") or "")
        raise WeakPassphrase(
            "口令太容易猜到（常用密码、重复、顺序数字或日期）。请用几个不相关的词或更长的句子。",
            "the passphrase is too easy to guess"
            + (f" ({warning.rstrip('.')})" if warning else "")
            + ": use several unrelated words or a longer sentence")
