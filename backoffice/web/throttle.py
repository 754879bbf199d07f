"""Sign-in throttling: growing delays and a temporary lockout, per account and per address.

After ``free`` failed sign-ins to one account (counted since its last successful sign-in,
within ``window`` seconds), the account is locked for ``first_lock`` seconds after the last
failure, twice as long after each further failure, at most ``max_lock``. The same holds per
client address with ``free_address`` failures, whatever accounts they tried. A locked attempt
is refused before the password is checked (it costs no hashing) and does not extend the lock;
its answer is held back ``tarpit`` seconds (an idle wait, no work), so a guesser that ignores
the lock makes a handful of requests a second, not hundreds.
Unknown account names are throttled like real ones, so the answers tell nothing about which
names exist. The account's user is told at their next sign-in (:func:`notice`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from backoffice.web.users import SignIn, UserStore


@dataclass(frozen=True)
class Limits:
    free: int = 5  # failures to one account before it is locked
    free_address: int = 20  # failures from one address before it is locked
    window: float = 900.0  # failures older than this are forgotten
    first_lock: float = 60.0
    max_lock: float = 900.0
    tarpit: float = 1.0  # how long the answer to a locked attempt is held back

    def lock(self, failures: int, free: int) -> float:
        """How long the last of ``failures`` failures locks (0: not locked)."""
        if failures < free:
            return 0.0
        return min(self.first_lock * 2 ** (failures - free), self.max_lock)


def _since_ok(attempts: Sequence[SignIn]) -> Sequence[SignIn]:
    """The attempts after the last successful sign-in among ``attempts`` (oldest first)."""
    last_ok = max((n for n, a in enumerate(attempts) if a.outcome == "ok"), default=-1)
    return attempts[last_ok + 1 :]


def _failures(attempts: Sequence[SignIn]) -> list[SignIn]:
    return [a for a in _since_ok(attempts) if a.outcome == "failed"]


def wait(users: UserStore, name: str, address: str, limits: Limits) -> float:
    """Seconds before ``name`` may try again from ``address`` (0: now)."""
    now = users.clock()
    since = now - limits.window
    account = _failures(users.sign_ins(name=name, since=since))
    by_address = [a for a in users.sign_ins(address=address, since=since) if a.outcome == "failed"]
    waits = [0.0]
    if account:
        waits.append(account[-1].at + limits.lock(len(account), limits.free) - now)
    if by_address:
        waits.append(by_address[-1].at + limits.lock(len(by_address), limits.free_address) - now)
    return max(waits)


def notice(users: UserStore, name: str, limits: Limits) -> str:
    """What the user is told when signing in: failed sign-ins since their last one ("" when none).
    Call before recording the successful sign-in."""
    attempts = _since_ok(users.sign_ins(name=name))
    failures = [a for a in attempts if a.outcome == "failed"]
    if not failures:
        return ""
    locked = any(a.outcome == "locked" for a in attempts) or len(failures) >= limits.free
    last = failures[-1]
    when = datetime.fromtimestamp(last.at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"{len(failures)} failed sign-in{'s' if len(failures) > 1 else ''} to your account since you last signed in"
    text += f", the last from {last.address} at {when}"
    if locked:
        text += "; the account was locked for a while"
    return text + ". If that was not you, tell an administrator."
