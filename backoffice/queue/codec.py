"""JSON read back from the queue's columns: orjson (several times faster than the json module
on a stored document), and the json module for what orjson refuses but JSON text may hold
(NaN and Infinity as the json module writes them, integers beyond 64 bits)."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
