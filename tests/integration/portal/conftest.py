"""Fixtures of the portal tests: the demo portal on loopback, started once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backoffice.demo.portal import running_portal
from tests.integration.portal.helpers import PASSWORD, DemoPortal


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[DemoPortal]:
    folder = tmp_path_factory.mktemp("portal")
    args = ("--user", f"clerk:{PASSWORD}", "--timesheets", "23", "--files", str(folder / "files"))
    with running_portal(args=args, log_path=folder / "portal.log") as url:
        yield DemoPortal(url)
