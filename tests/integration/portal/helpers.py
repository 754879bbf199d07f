"""Helpers of the portal tests: the demo portal's admin API, bots.yaml for its two bots, runner
processes, and the Chromium processes these tests started (and only those)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import httpx

from tests.conftest import ROOT

MARK = "BACKOFFICE_PORTAL_TEST_RUN"
os.environ.setdefault(MARK, uuid.uuid4().hex)  # inherited by Playwright's driver, Chromium and runners
PASSWORD = "s3cret-Portal"
os.environ.setdefault("PORTAL_TEST_PASSWORD", PASSWORD)


def our_chromium() -> list[int]:
    """PIDs of Chromium processes started under this test run (others' browsers are left out)."""
    marker = f"{MARK}={os.environ[MARK]}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if b"chrom" not in command.split(b"\0")[0].lower():
                continue
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def wait_no_chromium(timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := our_chromium()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


class DemoPortal:
    def __init__(self, url: str):
        self.url = url

    def faults(self, **values: float) -> dict:
        answer = httpx.put(f"{self.url}/_admin/faults", json=values, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def orders(self) -> list[dict]:
        return httpx.get(f"{self.url}/_admin/orders", timeout=5).json()["orders"]

    def stats(self) -> dict:
        return httpx.get(f"{self.url}/_admin/stats", timeout=5).json()

    def expire_sessions(self) -> int:
        return httpx.post(f"{self.url}/_admin/expire", timeout=5).json()["ended"]


ORDER_STEPS = """
        steps:
          - goto: /orders/new
          - {fill: "#reference", value: "{key}"}
          - {fill: "#order_number", value: "{order_number}"}
          - {fill: "#customer", value: "{buyer_name}"}
          - {fill: "#delivery_date", value: "{delivery_date}"}
          - {fill: "#total", value: "{total}"}
          - {select: "#currency", value: "{currency}"}
          - {click: "#submit", navigates: true}
          - reject_if: "#errors"
          - {set: reference, read: "#confirmation"}
        lookup:
          steps:
            - goto: "/orders?reference={key}"
            - wait_for: "table#orders"
            - {set: reference, read: "table#orders tbody .confirmation", timeout_seconds: 0.3, optional: true}
"""


def order_bot(url: str, *, reuse: bool = True, timeout: float = 5, attempts: int = 4, extra: str = "") -> str:
    return f"""
  - name: orders
    extractor: order
    source: {{kind: folder, path: inbox, create: true, patterns: ["*.csv"], settle_seconds: 0}}
    retry: {{max_attempts: 6, backoff_seconds: 0.2, max_backoff_seconds: 1}}
    targets:
      - kind: portal
        name: order-portal
        connection: portal
        browser: {{reuse_context: {str(reuse).lower()}}}
        timeout_seconds: {timeout}
        retry: {{attempts: {attempts}, backoff_seconds: 0.1, max_backoff_seconds: 0.5}}
{textwrap.indent(textwrap.dedent(ORDER_STEPS).strip(), " " * 8)}
{extra}"""


TIMESHEET_BOT = """
  - name: timesheets
    extractor: timesheet
    source:
      kind: portal
      connection: portal
      steps:
        - goto: /
        - {click: "a[href='/timesheets']", frame: menu}
        - paginate:
            next: "a.next"
            steps: [{extract_table: "table#timesheets", links: {pdf: "a.pdf", csv: "a.csv"}, frame: main}]
          frame: main
      items: {key: "{ID}", download: "{pdf}"}
"""


def write_config(folder: Path, url: str, bots: str, *, lease: float = 30) -> Path:
    config = folder / "bots.yaml"
    config.write_text(
        f"workspace: work\nrunner: {{lease_seconds: {lease}, poll_seconds: 0.2}}\n"
        f"connections:\n  portal: {{url: \"{url}\", username: clerk, password: \"${{PORTAL_TEST_PASSWORD}}\"}}\n"
        f"bots:{bots}\n",
        encoding="utf-8",
    )
    return config


def drop_orders(inbox: Path, seeds: range) -> list[str]:
    """Order CSVs (two per seed) in ``inbox``; returns their names."""
    from backoffice.demo.orders import generate

    inbox.mkdir(parents=True, exist_ok=True)
    names = []
    for seed in seeds:
        scratch = inbox.parent / f".gen-{seed}"
        for generated in generate(scratch, seed=seed):
            if generated.path.suffix == ".csv":
                name = f"s{seed}-{generated.path.name}"
                shutil.copy(generated.path, inbox / name)
                names.append(name)
        shutil.rmtree(scratch)
    return names


def start_runner(config: Path, *bots: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "backoffice", "-c", str(config), "run", *bots],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
