"""Retrieval: map a described work situation to the capabilities and indicators that matter for it."""

from retrieval.engine import Retriever
from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult
from retrieval.text import InputError

__all__ = ["CapabilityMatch", "IndicatorMatch", "InputError", "Retriever", "SearchResult"]
