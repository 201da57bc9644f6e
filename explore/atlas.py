"""Everything the explore page needs from one framework and index, computed once and kept together."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import Framework
from explore import neighbours as neighbours_module
from explore import projection as projection_module
from explore import vectors


@dataclass(frozen=True, eq=False)
class Atlas:
    framework: Framework
    table: vectors.Table
    neighbours: neighbours_module.Neighbours
    projection: projection_module.Projection
    key: str


def build(framework: Framework, index) -> Atlas:
    """Related behaviours and the map for a framework and its loaded index."""
    table = vectors.table(framework, index)
    return Atlas(framework, table, neighbours_module.build(table), projection_module.fit(table),
                 vectors.fingerprint(framework, index))
