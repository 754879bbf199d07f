"""Writers of one SQLite file take turns on its lock file; past their timeout, or without a
lock file, SQLite's own locking decides."""

from __future__ import annotations

import fcntl
import os

from backoffice.connectors.turns import Turns


def free(path) -> bool:
    """Whether nobody holds the turn of the database at ``path`` (looked at from a file of its own)."""
    fd = os.open(f"{path}-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_writer_holds_its_turn_for_its_block_only(tmp_path):
    db = tmp_path / "queue.db"
    turns = Turns(str(db), timeout=5)
    with turns.turn():
        assert not free(db)
    assert free(db)
    turns.close()


def test_a_writer_that_waited_past_its_timeout_goes_on_without_its_turn(tmp_path):
    db = tmp_path / "queue.db"
    first, second = Turns(str(db), timeout=5), Turns(str(db), timeout=0)
    ran = []
    with first.turn(), second.turn():  # SQLite's busy timeout decides for the second
        ran.append(1)
    assert ran and free(db)


def test_no_lock_file_leaves_sqlite_to_decide(tmp_path):
    turns = Turns(str(tmp_path / "missing" / "queue.db"), timeout=5)
    with turns.turn():
        pass
    assert not (tmp_path / "missing").exists()


def test_closed_during_its_turn_lets_go(tmp_path):
    db = tmp_path / "queue.db"
    turns = Turns(str(db), timeout=5)
    with turns.turn():
        turns.close()  # as the SQL target does when its database fails mid-transaction
        assert free(db)
    with turns.turn():  # opened again
        assert not free(db)
