"""The 73 real mails of ../shared/corpus/mail read by intake (no server: see
tests/integration/mail/test_real_mail.py for the same through Dovecot): each taken as a careful
person would (tests/unit/mail/real_mail.py), none lost silently."""

from __future__ import annotations

import pytest

from backoffice.mail.intake import Reading, mail_family
from backoffice.queue.files import FileStore
from tests.unit.mail.real_mail import DIFFERENT, EXPECTED, Taken, key, mail_files

MAILS = mail_files()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return FileStore(tmp_path_factory.mktemp("files"))


def taken(path, files) -> Taken:
    raw = path.read_bytes()
    parent, children = mail_family(Reading("mailbot", "INBOX", 1), 1, raw, files.put_bytes(raw, "m.eml"), files)
    return Taken.of(parent.payload, children)


@pytest.mark.parametrize("path", MAILS, ids=[key(p) for p in MAILS])
def test_each_real_mail_is_taken_as_a_person_would(path, files):
    got = taken(path, files)
    assert not got.silent_loss
    if key(path) in DIFFERENT:
        pytest.xfail(f"known difference: {EXPECTED[key(path)].why}")
    expect = EXPECTED[key(path)]
    assert got.matches(expect), f"{expect.why}\n  got: {got}"


def test_the_corpus_is_all_there_and_95_percent_taken_as_expected(files):
    assert len(MAILS) == 73 and {key(p) for p in MAILS} == set(EXPECTED)
    results = {key(p): taken(p, files) for p in MAILS}
    assert sum(r.silent_loss for r in results.values()) == 0
    as_expected = sum(r.matches(EXPECTED[k]) for k, r in results.items())
    assert as_expected / len(MAILS) >= 0.95
