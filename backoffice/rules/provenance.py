"""Which rules decided: the content hash of a rule file (with its includes) and, when the file
lives in a git work tree, the commit it was read at and whether it differed from that commit."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 5.0


def content_hash(files: Sequence[tuple[Path, bytes]]) -> str:
    """16 hex digits of SHA-256 over each file's name and bytes, in load order."""
    digest = hashlib.sha256()
    for path, raw in files:
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
    return digest.hexdigest()[:16]


def git_state(paths: Sequence[Path]) -> tuple[str | None, bool]:
    """(HEAD commit, whether any of ``paths`` differs from it), or (None, False) outside git."""
    git = shutil.which("git")
    if git is None or not paths:
        return None, False
    where = paths[0].resolve().parent
    try:
        head = subprocess.run([git, "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False)  # fmt: skip
        if head.returncode != 0:
            return None, False
        status = subprocess.run([git, "-C", str(where), "status", "--porcelain", "--", *(str(p.resolve()) for p in paths)],
                                capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git state of %s unknown: %s", where, exc)
        return None, False
    return head.stdout.strip() or None, bool(status.stdout.strip())
