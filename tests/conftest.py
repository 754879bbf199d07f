"""Shared fixtures. Documents come from ../shared/corpus or are generated into tmp_path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def deployment(tmp_path: Path):
    """Write a bots.yaml (and the sample rule files) into tmp_path; returns a writer function."""

    def write(text: str, name: str = "bots.yaml") -> Path:
        rules = tmp_path / "rules"
        shutil.copytree(ROOT / "rules", rules, dirs_exist_ok=True)  # rule files, includes, master data
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write
