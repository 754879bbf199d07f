"""The queue's JSON writer writes what the json module's encoder with the queue's settings writes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

import pytest

from backoffice.queue.codec import dumps

ENCODE = json.JSONEncoder(default=str, ensure_ascii=False, separators=(",", ":")).encode


class Colour(Enum):
    RED = "red"


VALUES = [
    {}, [], "", "text", 0, -1.5, 10**30, True, None, float("nan"), float("inf"), 1e20, 0.1 + 0.2,
    {"file": "Rechnung 7.pdf", "document": {"fields": {"seller_name": {"value": 'Becker & "Söhne"\n\\'}}}},
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    {"when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "amount": Decimal("12.50"), "colour": Colour.RED},
    {"nested": [[{"a": (1, 2)}], {"b": []}], "emoji": "\U0001f600", "nul": "a\x00b", "control": "\x1f"},
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_dumps_writes_what_the_encoder_writes(value):
    assert dumps(value) == ENCODE(value)


def test_a_failed_encoding_leaves_the_next_one_as_it_should_be():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps({"a": [loop]})
    with pytest.raises(ValueError, match="no text"):  # default=str raises halfway
        dumps([{"x": Broken()}])
    shared = {"k": "v"}
    assert dumps([shared, shared, {"x": shared}]) == ENCODE([shared, shared, {"x": shared}])  # not circular


class Broken:
    def __str__(self) -> str:
        raise ValueError("no text")


def test_threads_encode_at_once():
    payload = {"items": [{"n": n, "text": "x" * n} for n in range(200)]}
    results: list[bool] = []

    def work() -> None:
        results.extend(dumps(payload) == ENCODE(payload) for _ in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800 and all(results)
