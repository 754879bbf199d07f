"""Keep the repository's bots.yaml and rules/ equal to the packaged sample (backoffice/samples/).

    python scripts/sync_sample.py              write bots.yaml and rules/ from the package (the source)
    python scripts/sync_sample.py --from-repo  write the package's sample from bots.yaml and rules/
                                               (after someone edited those; each bot must belong to
                                               an example of EXAMPLE_BOTS)

tests/unit/test_install.py fails until both are equal.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backoffice.install import sample  # noqa: E402

# Which example each sample bot belongs to (bots.yaml is cut into one fragment per example).
EXAMPLE_BOTS = {
    "invoices": "invoices",
    "mailroom": "invoices",
    "mailbox-invoices": "mailbox",
    "portal-timesheets": "portal",
    "portal-orders": "portal",
}


def to_repo() -> None:
    (ROOT / "bots.yaml").write_text(sample.bots_yaml(list(sample.EXAMPLES)), encoding="utf-8")
    shutil.rmtree(ROOT / "rules")
    shutil.copytree(sample.samples() / "rules", ROOT / "rules")


def from_repo() -> None:
    text = (ROOT / "bots.yaml").read_text(encoding="utf-8")
    header, found, bots = text.partition("\nbots:\n")
    if not found:
        raise SystemExit("bots.yaml: no top-level `bots:` list")
    fragments: dict[str, list[str]] = {name: [] for name in sample.EXAMPLES}
    # Each bot starts at "  - " (with the comment lines just above it) and runs to the next one.
    chunks: list[list[str]] = [[]]
    for line in bots.splitlines():
        if line.startswith("  - ") and any(not kept.startswith("  #") for kept in chunks[-1] if kept.strip()):
            comments = []
            while chunks[-1] and chunks[-1][-1].startswith("  #"):
                comments.insert(0, chunks[-1].pop())
            chunks.append(comments)
        chunks[-1].append(line)
    for chunk in chunks:
        body = "\n".join(chunk).strip("\n")
        name = re.search(r"^  - name: *(\S+)", body, re.M)
        example = EXAMPLE_BOTS.get(name.group(1) if name else "")
        if example is None:
            raise SystemExit(
                f"bots.yaml: bot {name.group(1) if name else '?'} is in no example: add it to EXAMPLE_BOTS"
            )
        fragments[example].append(body)
    folder = sample.samples() / "bots"
    (folder / "header.yaml").write_text(header, encoding="utf-8")
    for example, chunks in fragments.items():
        (folder / f"{example}.yaml").write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    shutil.rmtree(sample.samples() / "rules")
    shutil.copytree(ROOT / "rules", sample.samples() / "rules")
    if sample.bots_yaml(list(sample.EXAMPLES)) != text:
        raise SystemExit(
            "bots.yaml: cut into fragments it does not read the same; fix backoffice/samples/bots/ by hand"
        )


if __name__ == "__main__":
    from_repo() if "--from-repo" in sys.argv[1:] else to_repo()
    print("bots.yaml and rules/ equal backoffice/samples/")
