from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.integration.mail.dovecot import Dovecot, TokenServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def token_server():
    with TokenServer() as server:
        yield server


@pytest.fixture(scope="module")
def dovecot(token_server):
    folder = Path(tempfile.mkdtemp(prefix="backoffice-dovecot-"))
    server = Dovecot(folder, token_server)
    server.add_user("alice", "wonderland")
    server.add_user("bob", "builder")
    with server:
        yield server
    shutil.rmtree(folder, ignore_errors=True)
