"""Compare mypy's errors per file (mypy's output on stdin) with scripts/mypy-baseline.txt.

    mypy | python scripts/mypy_baseline.py          exit 1 when a file has more errors than its baseline
    mypy | python scripts/mypy_baseline.py --update  write the lower counts (refused while one grew)
    mypy | python scripts/mypy_baseline.py --rebaseline  write the counts as they are: only when merging
                                                      branches written before the check existed

The baseline only shrinks: a file not in it must have no error at all.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from pathlib import Path

BASELINE = Path(os.environ.get("MYPY_BASELINE") or Path(__file__).with_name("mypy-baseline.txt"))
ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def read_baseline() -> dict[str, int]:
    counts = {}
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, count = line.split()
            counts[name] = int(count)
    return counts


def main() -> int:
    output = sys.stdin.read()
    found = Counter(m.group("file") for line in output.splitlines() if (m := ERROR.match(line)))
    baseline = read_baseline()
    grew = {name: (count, baseline.get(name, 0)) for name, count in found.items() if count > baseline.get(name, 0)}
    if "--rebaseline" in sys.argv[1:]:
        grew = {}
    if grew:
        for line in output.splitlines():
            if (m := ERROR.match(line)) and m.group("file") in grew:
                print(line)
        for name, (count, allowed) in sorted(grew.items()):
            print(f"mypy: {name} has {count} errors, the baseline allows {allowed}", file=sys.stderr)
        return 1
    shrunk = sorted(name for name, allowed in baseline.items() if found.get(name, 0) < allowed)
    if "--update" in sys.argv[1:] or "--rebaseline" in sys.argv[1:]:
        header = "# mypy errors per file that remain from before the type check ran (issue 20); only shrinks\n"
        BASELINE.write_text(header + "".join(f"{n} {c}\n" for n, c in sorted(found.items())), encoding="utf-8")
        print(f"mypy: baseline written, {sum(found.values())} errors in {len(found)} files")
    elif shrunk:
        print(f"mypy: fewer errors than the baseline in {', '.join(shrunk)}: run scripts/lint.sh --update")
    print(f"mypy: {sum(found.values())} errors, none new (baseline {sum(baseline.values())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
