"""The framework corpus: source texts, their parsers and the typed model the rest of ILS Coach reads."""

from corpus.model import Capability, Cluster, CorpusError, Framework, Indicator, load

__all__ = ["Capability", "Cluster", "CorpusError", "Framework", "Indicator", "load"]
