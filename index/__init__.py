"""The search index: embeddings of the framework texts in FAISS, saved with a manifest."""

from index.store import Index, IndexProblem, Item, build, ensure, load, save

__all__ = ["Index", "IndexProblem", "Item", "build", "ensure", "load", "save"]
