"""Signing in: when an attempt is refused unchecked (one name locked from one address, or an
address slowed down), how long a session lives, and what makes a password acceptable. Pure
functions; the clock and the recorded failures are passed in.

Throttling is per (name, address), never per name alone: five wrong passwords for a leader's
name from one address lock that name from that address only, so someone who knows the name
cannot lock the leader out from elsewhere, and names made up from an office's address lock
nothing real. An address as a whole is never locked (an office behind one NAT shares it): past
a ceiling of failures it is slowed, each further attempt waiting twice as long as the last.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

WINDOW = timedelta(minutes=15)   # failures older than this no longer count
PAIR_LIMIT = 5                   # failures of one name from one address → that pair locked
ADDRESS_FREE = 20                # failures from one address before it is slowed down
ADDRESS_DELAY_FIRST = 2          # seconds to wait after the first failure past the ceiling …
ADDRESS_DELAY_MAX = 300          # … doubling with each further failure, up to this
SESSION_IDLE = timedelta(minutes=30)   # a session unused this long has ended
SESSION_LIFETIME = timedelta(hours=12)  # and every session ends this long after signing in
SESSION_TOUCH = timedelta(minutes=1)   # last use is recorded at most this often (one write a minute)

PASSWORD_MIN = 12
PASSWORD_MAX = 128
COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "config" / "common-passwords.txt"


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked; when not, why and for how many seconds."""

    locked: bool = False     # the name is locked from this address
    wait_seconds: int = 0    # the address is slowed down

    @property
    def allowed(self) -> bool:
        return not self.locked and self.wait_seconds == 0


def judge(pair_failures: list[datetime], address_failures: list[datetime], now: datetime) -> Verdict:
    """The verdict on an attempt, given the times of the failures within ``WINDOW`` of this
    name from this address and of every name from this address."""
    since = now - WINDOW
    pair = sorted(t for t in pair_failures if t > since)
    address_failures = [t for t in address_failures if t > since]
    if len(pair) >= PAIR_LIMIT:
        # Refused attempts are not recorded, so the lock lifts when enough failures age out.
        until = pair[len(pair) - PAIR_LIMIT] + WINDOW
        return Verdict(locked=True, wait_seconds=_seconds(until - now))
    excess = len(address_failures) - ADDRESS_FREE
    if excess < 0:
        return Verdict()
    delay = timedelta(seconds=min(ADDRESS_DELAY_FIRST * 2 ** min(excess, 20), ADDRESS_DELAY_MAX))
    wait = max(address_failures) + delay - now
    return Verdict(wait_seconds=_seconds(wait)) if wait > timedelta(0) else Verdict()


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def session_alive(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    return now - created_at < SESSION_LIFETIME and now - last_seen_at < SESSION_IDLE


@lru_cache(maxsize=4)
def common_passwords(path: Path = COMMON_PASSWORDS) -> frozenset[str]:
    """The shipped list of common passwords (one a line, ``#`` comments), case-folded."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


# What people put around a common word: digits, years and punctuation before or after it.
_AFFIXES = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$")


def password_problem(password: str, username: str, common: frozenset[str] | None = None) -> str | None:
    """Why a new password is refused (Chinese), or None: too short or too long, containing the
    user name, one character or a short pattern repeated, a run of keys or letters in order, or
    a common password (also with digits and signs added around it)."""
    if len(password) < PASSWORD_MIN:
        return f"密码至少 {PASSWORD_MIN} 个字符"
    if len(password) > PASSWORD_MAX:
        return f"密码不能超过 {PASSWORD_MAX} 个字符"
    folded, name = password.casefold(), username.strip().casefold()
    if name and (name in folded if len(name) >= 3 else folded == name):
        return "密码不能包含用户名"
    if _repeated(folded) or _sequence(folded):
        return "密码不能是重复或连续的字符（如 aaaaaaaaaaaa、123456789012）"
    core = _AFFIXES.match(folded)
    candidates = {folded, folded.strip(), core.group(1) if core else folded}
    if candidates & (common if common is not None else common_passwords()):
        return "该密码过于常见，容易被猜中，请换一个"
    return None


def _repeated(text: str) -> bool:
    """One to four characters repeated (aaaa…, abab…, 1234 1234 …)."""
    return any(len(text) % n == 0 and text == text[:n] * (len(text) // n) for n in range(1, 5))


# Digits, the letter keys row after row (qwertyuiop → asdf… → zxcv…), the alphabet.
_ROWS = ("1234567890", "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def _sequence(text: str) -> bool:
    """Characters in order, forwards or backwards, wrapping round (1234567890123, abcdef…,
    qwertyuiop…): each character follows the one before on a digit, keyboard or alphabet row."""
    for row in _ROWS:
        for line in (row, row[::-1]):
            ring = line * (len(text) // len(line) + 2)
            if text in ring:
                return True
    return False
