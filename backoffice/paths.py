"""Resolving the paths bots.yaml names."""

from __future__ import annotations

from pathlib import Path


def inside(base: Path, path: str | Path) -> Path:
    """``path`` as given when absolute, else relative to ``base``."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else base / path
