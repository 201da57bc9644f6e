"""A 2-D map of all indicators (principal component analysis of their vectors), and a situation placed on it."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from explore.neighbours import Neighbours, Related
from explore.vectors import Behaviour, Table, one_thread
from retrieval.text import prepare


@dataclass(frozen=True)
class Point:
    behaviour: Behaviour
    x: float
    y: float


@dataclass(frozen=True, eq=False)
class Projection:
    """The map: one point per indicator, and the fitted centre and axes to place new vectors on it.

    `explained` is the share of the vectors' variance that each axis keeps."""

    points: tuple[Point, ...]
    mean: np.ndarray
    axes: np.ndarray
    explained: tuple[float, float]
    seconds: float

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """Map coordinates (n, 2) for unit vectors (n, d) or one vector (d,)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return (vectors - self.mean) @ self.axes.T


@dataclass(frozen=True)
class Placed:
    """A situation on the map: its coordinates and its nearest indicators (from the full vectors)."""

    x: float
    y: float
    nearest: tuple[Related, ...]
    truncated: bool = False


def fit(table: Table) -> Projection:
    """Principal component analysis by singular value decomposition, keeping two axes.

    Each axis's sign is fixed so that its largest loading is positive, so the map does not flip between
    runs or machines. An axis the vectors do not span (fewer than three indicators, or all on one line) is
    exactly zero: its singular value is rounding noise, and its direction would differ between machines."""
    started = time.perf_counter()
    vectors = np.asarray(table.vectors, dtype=np.float64)
    mean = vectors.mean(axis=0)
    centred = vectors - mean
    with one_thread():
        _, singular, components = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, vectors.shape[1]))
    rank_floor = singular[0] * max(centred.shape) * np.finfo(centred.dtype).eps if singular.size else 0.0
    kept = min(2, int((singular > rank_floor).sum()))
    axes[:kept] = components[:kept]
    for n in range(kept):
        if axes[n, np.argmax(np.abs(axes[n]))] < 0:
            axes[n] = -axes[n]
    variance = singular**2
    total = float(variance.sum())
    explained = [float(v / total) if total > 0 else 0.0 for v in variance[:kept]] + [0.0] * (2 - kept)
    coords = centred @ axes.T
    points = tuple(Point(b, float(x), float(y)) for b, (x, y) in zip(table.behaviours, coords, strict=True))
    return Projection(points, mean.astype(np.float32), axes.astype(np.float32), (explained[0], explained[1]),
                      time.perf_counter() - started)


def place(text: str, encoder, projection: Projection, neighbours: Neighbours, k: int = 5,
          max_chars: int = 4000) -> Placed:
    """Embed a situation (never stored) and place it on the map with its k nearest indicators.

    Raises retrieval.text.InputError for text with no words."""
    prepared = prepare(text, max_chars)
    vector = encoder.encode([prepared.text])[0]
    x, y = projection.transform(vector)[0]
    return Placed(float(x), float(y), neighbours.nearest(vector, k), prepared.truncated)
