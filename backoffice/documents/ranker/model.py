"""The trained field ranker: gradient-boosted trees per field, read from ``model.json.gz`` beside
this module, and the calibration that turns their scores into a confidence.

The trees were grown by LightGBM (:mod:`backoffice.documents.ranker.train`) and are kept as plain
arrays, so reading an invoice needs numpy only, not LightGBM. The file is loaded on first use:
commands that read no invoice pay nothing for it.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("model.json.gz")


def prior(heuristic: float) -> float:
    """The log-odds the trees start from: the label logic's own score (feature 0), or a low one for
    a candidate only its shape proposed. The trees learn corrections to it, so a layout unlike
    any in training still gets the label logic's judgement."""
    share = min(max(heuristic, 0.02), 0.98) if heuristic > 0 else 0.05
    return math.log(share / (1 - share))


class Trees:
    """The trees of one field, all evaluated at once: every row walks every tree together."""

    def __init__(self, packed: dict):
        import numpy as np

        self.np = np
        self.feature = np.asarray(packed["feature"], dtype=np.int32)
        self.threshold = np.asarray(packed["threshold"], dtype=np.float64)
        self.left = np.asarray(packed["left"], dtype=np.int32)
        self.right = np.asarray(packed["right"], dtype=np.int32)
        self.value = np.asarray(packed["value"], dtype=np.float64)
        self.depth = int(packed["depth"])
        self.trees = np.arange(self.feature.shape[0])[None, :]

    def probability(self, rows: list[list[float]]) -> list[float]:
        np = self.np
        x = np.asarray(rows, dtype=np.float64)
        node = np.zeros((x.shape[0], self.feature.shape[0]), dtype=np.int32)
        index = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            go_left = x[index, self.feature[self.trees, node]] <= self.threshold[self.trees, node]
            node = np.where(go_left, self.left[self.trees, node], self.right[self.trees, node])
        raw = self.value[self.trees, node].sum(axis=1) + np.asarray([prior(row[0]) for row in rows])
        return (1.0 / (1.0 + np.exp(-raw))).tolist()


class Calibration:
    """A step function from ranker score to the share right (isotonic, fitted on data the trees
    did not see)."""

    def __init__(self, points: dict):
        self.x = points["x"]
        self.y = points["y"]

    def __call__(self, score: float) -> float:
        if not self.x:
            return score
        index = bisect_right(self.x, score) - 1
        return self.y[max(index, 0)]


class Model:
    def __init__(self, data: dict):
        self.data = data
        self.names = data["features"]
        self.trees = {name: Trees(packed["trees"]) for name, packed in data["fields"].items()}
        self.calibrations = {key: Calibration(points) for key, points in data["calibrations"].items()}

    def probability(self, field: str, rows: list[list[float]]) -> list[float] | None:
        trees = self.trees.get(field)
        return trees.probability(rows) if trees is not None and rows else None

    def confidence(self, key: str, score: float) -> float:
        """The calibrated confidence of a value chosen with ``score``; ``key`` is a field name,
        or ``field|sum`` / ``field|alone`` / ``field|doubt`` for totals. The lower of what generated
        and real documents (``real|field``, pooled ``real|*``) say, when the model has both."""
        field = key.split("|")[0]
        generated = self.calibrations.get(key) or self.calibrations.get(field)
        if generated is None:
            return min(score, 0.5)  # never calibrated: no promise
        real = self.calibrations.get(f"real|{field}") or self.calibrations.get("real|*")
        share = min(generated(score), real(score)) if real else generated(score)
        return max(share, 0.01)  # a value given is never certainly wrong (else it would not be given)


@lru_cache(maxsize=4)
def load(path: Path = MODEL_PATH) -> Model | None:
    """The model at ``path``, or None (with a warning) when there is none or it does not fit."""
    from backoffice.documents.ranker.features import NAMES

    if not path.exists():
        log.warning("no field ranker model; reading invoices by their labels only", extra={"path": str(path)})
        return None
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        data = json.load(stream)
    if data.get("features") != NAMES:
        log.warning("the field ranker model was trained on other features; retrain it", extra={"path": str(path)})
        return None
    return Model(data)


def metadata() -> dict:
    """What the shipped model says about itself (trained_on, documents, seed), without the trees."""
    model = load()
    return {k: v for k, v in model.data.items() if k not in ("fields", "features")} if model else {}
