"""Typed framework corpus: clusters, capabilities and indicators, loaded from JSON with validation."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from errors import CoachError

FORMAT = "ils-coach-framework/1"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class CorpusError(CoachError, ValueError):
    """A framework file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Indicator:
    id: str
    text: str
    capability_id: str


@dataclass(frozen=True)
class Capability:
    id: str
    name: str
    description: str
    cluster_id: str
    indicators: tuple[Indicator, ...]
    summary: str = ""


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    capabilities: tuple[Capability, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    level: str
    clusters: tuple[Cluster, ...]
    sha256: str
    path: str = ""
    notes: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)

    @property
    def capabilities(self) -> list[Capability]:
        return [cap for cluster in self.clusters for cap in cluster.capabilities]

    @property
    def indicators(self) -> list[Indicator]:
        return [ind for cap in self.capabilities for ind in cap.indicators]

    def capability(self, capability_id: str) -> Capability:
        for cap in self.capabilities:
            if cap.id == capability_id:
                return cap
        raise KeyError(capability_id)

    def cluster(self, cluster_id: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        raise KeyError(cluster_id)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def title(self) -> str:
        return f"{self.name}: {self.level}" if self.level else self.name


def _text(obj: dict, key: str, where: str, required: bool = True) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise CorpusError(f"{where}: '{key}' must be text, found {type(value).__name__}")
    if required and not value.strip():
        raise CorpusError(f"{where}: '{key}' is missing or empty")
    return value


def _ident(obj: dict, where: str, seen: set[str]) -> str:
    value = _text(obj, "id", where)
    if not ID_PATTERN.match(value):
        raise CorpusError(f"{where}: id {value!r} must be lower-case letters, digits, '.' or '-'")
    if value in seen:
        raise CorpusError(f"{where}: duplicate id {value!r}")
    seen.add(value)
    return value


def _list(obj: dict, key: str, where: str) -> list:
    value = obj.get(key)
    if not isinstance(value, list) or not value:
        raise CorpusError(f"{where}: '{key}' must be a non-empty list")
    return value


def from_dict(data: object, sha256: str = "", path: str = "") -> Framework:
    """Validate a parsed framework document and build the dataclasses."""
    where = path or "framework"
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: the top level must be a JSON object")
    if data.get("format") != FORMAT:
        raise CorpusError(f"{where}: 'format' must be {FORMAT!r}, found {data.get('format')!r}")
    seen: set[str] = set()
    fid = _ident(data, where, seen)
    clusters = []
    for ci, cdata in enumerate(_list(data, "clusters", where), 1):
        cwhere = f"{where}: clusters[{ci}]"
        if not isinstance(cdata, dict):
            raise CorpusError(f"{cwhere} must be an object")
        cid = _ident(cdata, cwhere, seen)
        cwhere = f"{where}: cluster {cid!r}"
        caps = []
        for ki, kdata in enumerate(_list(cdata, "capabilities", cwhere), 1):
            kwhere = f"{cwhere}, capabilities[{ki}]"
            if not isinstance(kdata, dict):
                raise CorpusError(f"{kwhere} must be an object")
            kid = _ident(kdata, kwhere, seen)
            kwhere = f"{where}: capability {kid!r}"
            inds = []
            for ii, idata in enumerate(_list(kdata, "indicators", kwhere), 1):
                iwhere = f"{kwhere}, indicators[{ii}]"
                if not isinstance(idata, dict):
                    raise CorpusError(f"{iwhere} must be an object")
                iid = _ident(idata, iwhere, seen)
                inds.append(Indicator(id=iid, text=_text(idata, "text", iwhere), capability_id=kid))
            caps.append(
                Capability(
                    id=kid,
                    name=_text(kdata, "name", kwhere),
                    description=_text(kdata, "description", kwhere),
                    cluster_id=cid,
                    indicators=tuple(inds),
                    summary=_text(kdata, "summary", kwhere, required=False),
                )
            )
        clusters.append(Cluster(id=cid, name=_text(cdata, "name", cwhere), capabilities=tuple(caps)))
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise CorpusError(f"{where}: 'notes' must be a list of text")
    provenance = data.get("provenance", {})
    if not isinstance(provenance, dict):
        raise CorpusError(f"{where}: 'provenance' must be an object")
    return Framework(
        id=fid,
        name=_text(data, "name", where),
        level=_text(data, "level", where, required=False),
        clusters=tuple(clusters),
        sha256=sha256,
        path=path,
        notes=tuple(notes),
        provenance=provenance,
    )


def load(path: str | Path) -> Framework:
    """Load and validate a framework JSON file; raises CorpusError with a clear message."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: framework file not found") from None
    except OSError as err:
        raise CorpusError(f"{path}: cannot read framework file ({err.strerror})") from None
    if not raw.strip():
        raise CorpusError(f"{path}: the framework file is empty")
    try:
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError as err:
        raise CorpusError(f"{path}: not UTF-8 text (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise CorpusError(f"{path}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise CorpusError(f"{path}: invalid JSON: nested too deeply") from None
    except _DuplicateKey as err:
        raise CorpusError(f"{path}: {err}") from None
    return from_dict(data, sha256=hashlib.sha256(raw).hexdigest(), path=str(path))


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build a JSON object, refusing a key given twice (JSON would silently keep the last one)."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            owner = dict(pairs).get("id")
            place = f" in the object with id {owner!r}" if isinstance(owner, str) else ""
            raise _DuplicateKey(f"key {key!r} appears twice{place}")
        seen[key] = value
    return seen
