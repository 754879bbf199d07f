"""Screenshots of the supervisor UI's main screens for the README, made from the demo so that
they show the UI as it is: the sign-in page, the dashboard, the exception queue and an item's
review page, each at 1400 and 1024 pixels wide, in Chromium.

    PYTHONPATH=. python scripts/screenshots.py [--out docs/screenshots]

The PNGs are reduced to 64 colours (a few tens of KB each) before they are written.
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTHS = (1400, 1024)
HEIGHT = 860
USERS = {"alice": ("supervisor", "alice-screens-1"), "bob": ("supervisor", "bob-screens-12")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _small_png(data: bytes) -> bytes:
    """The screenshot in 64 colours: a UI's flat colours survive, the file is a tenth of the size."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        reduced = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        reduced.save(out, format="PNG", optimize=True)
        return out.getvalue()


def _serve(folder: Path):
    import uvicorn

    from backoffice.config import load_config
    from backoffice.demo.run import run_demo
    from backoffice.queue import open_store
    from backoffice.web.app import create_app
    from backoffice.web.context import Workspace

    result = run_demo(ROOT / "bots.yaml", folder / "ws", count=24, seed=7, portal=False)
    config = load_config(result.config)
    store = open_store(config.queue_url)
    ws = Workspace.open(config, store)
    for name, (role, password) in USERS.items():
        ws.users.add(name, password, role)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ui", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the UI did not start")
        time.sleep(0.05)
    return server, thread, store, f"http://localhost:{port}"


def _item_to_show(store) -> int:
    """The exception with the most line items: the review page at its fullest."""
    from backoffice.queue.base import Status

    items = [i for i in store.list(status=Status.EXCEPTION) if (i.payload.get("document") or {}).get("lines")]
    return max(items, key=lambda i: (len(i.payload["document"]["lines"]), -i.id)).id


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from backoffice.browser import launch

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        server, thread, store, url = _serve(Path(folder))
        try:
            item = _item_to_show(store)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    for width in WIDTHS:
                        page = browser.new_context(viewport={"width": width, "height": HEIGHT}).new_page()
                        page.goto(f"{url}/login")
                        page.fill("input[name=name]", "bob")  # a wrong password keeps the name
                        page.fill("input[name=password]", "wrong password")
                        page.click("button[type=submit]")
                        page.wait_for_selector("p.error")
                        written.append(_shot(page, out, "sign-in", width))
                        page.fill("input[name=name]", "alice")
                        page.fill("input[name=password]", USERS["alice"][1])
                        page.click("button[type=submit]")
                        page.wait_for_url(f"{url}/")
                        for name, path in (
                            ("dashboard", "/"),
                            ("exceptions", "/exceptions?status=exception&sort=oldest"),
                            ("review", f"/items/{item}?list=status%3Dexception%26sort%3Doldest"),
                        ):
                            page.goto(url + path)
                            if name == "review":
                                page.focus("form.review tr.to-review input")
                            written.append(_shot(page, out, name, width))
                        page.context.close()
                finally:
                    browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            store.close()
    return written


def _shot(page, out: Path, name: str, width: int) -> Path:
    page.wait_for_load_state("networkidle")
    target = out / f"{name}-{width}.png"
    target.write_bytes(_small_png(page.screenshot()))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    for path in take(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\t{path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
