"""Index build, save, load, staleness and recovery from broken files (with the fake encoder)."""

from __future__ import annotations

import json
import os
import threading

import faiss
import numpy as np
import pytest

from index import embed, store


@pytest.fixture
def built(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    return index, tmp_path / "idx" / tiny_framework.id


def again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    return store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)


def test_build_writes_manifest(built, tiny_framework):
    index, folder = built
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == "fake-encoder"
    assert manifest["dimension"] == 64
    assert manifest["corpus_sha256"] == tiny_framework.sha256
    assert manifest["count"] == 6 + 3 + 6
    assert [row[0] for row in manifest["items"][:3]] == ["coaching.1", "coaching.2", "conflict.1"]
    assert manifest["items"][6][:3] == ["coaching#description", "description", "coaching"]
    assert {"faiss", "torch", "sentence_transformers"} <= set(manifest["versions"])
    assert index.notices and "manifest missing" in index.notices[0]


def test_current_index_is_loaded_not_rebuilt(built, tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic,
                                              tmp_path):
    calls = fake_encoder.calls
    index = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert fake_encoder.calls == calls
    assert index.notices == []
    assert index.faiss.ntotal == 15
    np.testing.assert_allclose(index.vectors, built[0].vectors, atol=1e-6)
    assert index.items == built[0].items


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda f: (f / "index.faiss").write_bytes((f / "index.faiss").read_bytes()[:100]), "checksum"),
        (lambda f: (f / "index.faiss").write_bytes(b""), "checksum"),
        (lambda f: (f / "index.faiss").write_bytes(os.urandom(5000)), "checksum"),
        (lambda f: (f / "manifest.json").unlink(), "manifest missing"),
        (lambda f: (f / "manifest.json").write_text("{not json"), "unreadable manifest"),
        (lambda f: (f / "offtopic.npy").unlink(), "offtopic.npy missing"),
    ],
)
def test_broken_index_is_rebuilt(built, damage, reason, tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic,
                                 tmp_path):
    damage(built[1])
    index = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert len(index.notices) == 1 and reason in index.notices[0] and "rebuilt" in index.notices[0]
    assert index.faiss.ntotal == 15
    assert again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path).notices == []


def test_a_loaded_index_reads_its_faiss_file_only_when_asked(built, tiny_framework, fake_encoder, tiny_exemplars,
                                                             tiny_offtopic, tmp_path):
    """Queries use the vectors file; the FAISS file is read on first use, and checked again then."""
    index = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    queries = built[0].vectors[:3] + 0.1
    np.testing.assert_array_equal(index.similarities(queries), built[0].similarities(queries))
    assert index.faiss_index is None, "answered without reading the FAISS file"
    np.testing.assert_array_equal(index.faiss.reconstruct_n(0, index.faiss.ntotal), index.vectors)
    later = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    (built[1] / "index.faiss").write_bytes(os.urandom(5000))
    with pytest.raises(store.IndexProblem, match="index.faiss does not match its checksum"):
        later.faiss


def test_faiss_gets_the_threads_asked_before_it_was_imported():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; from index import store; store.threads(1); assert 'faiss' not in sys.modules; "
            "print(store.faiss_module().omp_get_max_threads())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_other_model_or_edited_corpus_is_stale(built, tiny_framework, tiny_path, tiny_exemplars, tiny_offtopic,
                                               tmp_path):
    from corpus.model import load
    from tests.conftest import FakeEncoder

    other = store.ensure(tiny_framework, FakeEncoder(name="other-model"), tmp_path / "idx", tiny_exemplars,
                         tiny_offtopic)
    assert "model changed" in other.notices[0]
    doc = json.loads(tiny_path.read_text())
    doc["clusters"][0]["capabilities"][0]["indicators"][0]["text"] = "Gives kind feedback."
    tiny_path.write_text(json.dumps(doc))
    edited = store.ensure(load(tiny_path), FakeEncoder(name="other-model"), tmp_path / "idx", tiny_exemplars,
                          tiny_offtopic)
    assert "framework file changed" in edited.notices[0]
    assert edited.items[0].text == "Gives kind feedback."


def test_read_only_folder_builds_in_memory(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path,
                                          monkeypatch):
    def denied(path, write):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(store, "_atomic", denied)
    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "ro", tiny_exemplars, tiny_offtopic)
    assert index.faiss.ntotal == 15
    assert "in memory" in index.notices[0] and "Permission denied" in index.notices[0]
    assert "ILS_COACH_INDEX_DIR" in index.notices[0]


def test_unwritable_index_dir_builds_in_memory(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    index = store.ensure(tiny_framework, fake_encoder, blocker, tiny_exemplars, tiny_offtopic)
    assert index.faiss.ntotal == 15
    assert "in memory" in index.notices[0]


def test_crash_while_saving_leaves_nothing_loadable(built, tiny_framework, fake_encoder, tiny_exemplars,
                                                    tiny_offtopic, tmp_path, monkeypatch):
    index, folder = built

    def boom(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(faiss, "serialize_index", boom)
    with pytest.raises(KeyboardInterrupt):
        store.save(index, folder)
    monkeypatch.undo()
    assert not (folder / "manifest.json").exists()
    assert not list(folder.glob("*.tmp"))
    rebuilt = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert "manifest missing" in rebuilt.notices[0]


def test_approximate_above_threshold(monkeypatch):
    monkeypatch.setattr(store, "APPROXIMATE_FROM", 10)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert isinstance(store.make_faiss(vectors), faiss.IndexIVFFlat)
    assert isinstance(store.make_faiss(vectors[:5]), faiss.IndexFlatIP)


def test_rebuild_uses_the_build_encoder_and_queries_keep_theirs(tiny_framework, tiny_exemplars, tiny_offtopic,
                                                                 tmp_path):
    from tests.conftest import FakeEncoder

    query, builder = FakeEncoder(), FakeEncoder()
    builder.backend = "sentence-transformers"
    built = store.ensure(tiny_framework, query, tmp_path / "idx", tiny_exemplars, tiny_offtopic,
                         build_encoder=lambda: builder)
    assert builder.calls == 2 and query.calls == 0
    assert built.manifest["encoder"] == "sentence-transformers"
    loaded = store.ensure(tiny_framework, query, tmp_path / "idx", tiny_exemplars, tiny_offtopic,
                          build_encoder=lambda: pytest.fail("a current index must not be rebuilt"))
    assert loaded.notices == [] and builder.calls == 2


def test_a_large_index_ranks_as_a_small_one(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path,
                                            monkeypatch):
    """Above APPROXIMATE_FROM the saved index is IVF. Loaded again it still gives back every vector, so the
    classifier and the off-topic rule stay on, and every search ranks exactly as on the exact index."""
    from retrieval.engine import Retriever

    small = store.ensure(tiny_framework, fake_encoder, tmp_path / "flat", tiny_exemplars, tiny_offtopic)
    monkeypatch.setattr(store, "APPROXIMATE_FROM", 5)
    store.ensure(tiny_framework, fake_encoder, tmp_path / "ivf", tiny_exemplars, tiny_offtopic)
    large = store.ensure(tiny_framework, fake_encoder, tmp_path / "ivf", tiny_exemplars, tiny_offtopic)
    assert isinstance(large.faiss, faiss.IndexIVFFlat) and large.notices == [], "loaded from disk, not rebuilt"
    np.testing.assert_array_equal(large.vectors, small.vectors)
    exact, approximate = (Retriever(tiny_framework, index, fake_encoder) for index in (small, large))
    assert approximate.classifier is not None and approximate.rule is not None
    for text in ("my two managers keep arguing", "we are over budget", "what is the capital of france",
                 "Feedback for my staff. The budget is tight. Two teams argue. Spending is up."):
        assert approximate.search(text, top=3).to_dict() == exact.search(text, top=3).to_dict()


def test_similarities_are_exact_whatever_the_index_type():
    """An IVF index searched for every row would leave out the lists it does not probe; the index's similarities
    are every item's exact inner product all the same."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ivf = store.make_faiss(vectors, "ivf")
    assert ivf.nprobe < ivf.nlist
    items = [store.Item(str(n), "indicator", "c", "t") for n in range(len(vectors))]
    index = store.Index(ivf, items, vectors.copy(), np.zeros((0, 16), np.float32), {})
    queries = vectors[:7] + 0.1
    np.testing.assert_allclose(index.similarities(queries), queries @ vectors.T, rtol=1e-5, atol=1e-6)
    _, found = ivf.search(queries, len(vectors))
    assert (found < 0).any(), "what FAISS alone gives here: not every row"
    bare = store.Index(faiss.IndexFlatIP(16), items, np.zeros((0, 16), np.float32), index.offtopic, {})
    bare.faiss.add(vectors)
    np.testing.assert_allclose(bare.similarities(queries), queries @ vectors.T, rtol=1e-5, atol=1e-6)


def swap_index(folder, index) -> None:
    """Put another FAISS index in place, with its checksum fixed in the manifest."""
    (folder / "index.faiss").write_bytes(faiss.serialize_index(index).tobytes())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["index.faiss"] = store.sha256_file(folder / "index.faiss")
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_every_vector_is_read_back_or_the_index_rebuilt(built, tiny_framework, fake_encoder, tiny_exemplars,
                                                        tiny_offtopic, tmp_path):
    _, folder = built
    data = store.build(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic).vectors
    lossy = faiss.IndexLSH(64, 64)
    lossy.train(data)
    lossy.add(data)
    swap_index(folder, lossy)
    index = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert "vectors cannot be read back (IndexLSH)" in index.notices[0]
    assert isinstance(index.faiss, faiss.IndexFlatIP) and len(index.vectors) == 15
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(64), 64, 1, faiss.METRIC_INNER_PRODUCT)
    ivf.train(data)
    ivf.add(data)
    swap_index(folder, ivf)
    without_map = again(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert without_map.notices == [] and np.array_equal(without_map.vectors, data), "an IVF without a direct map"


class Counting:
    """A backend that records each call and returns vectors numbered by call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts, batch_size, progress):
        self.calls.append(list(texts))
        return np.full((len(texts), 2), float(len(self.calls)), dtype=np.float32)


def test_remembering_encodes_each_text_once_per_block_and_forgets_them_after():
    encoder = object.__new__(embed.Encoder)  # the encode logic alone, on a counting backend
    encoder._backend, encoder._lock = Counting(), threading.Lock()
    with embed.remembering():
        first = encoder.encode(["a"])
        again = encoder.encode(["a"])
        both = encoder.encode(["b", "a", "b"])
        assert [row[0] for row in both] == [2.0, 1.0, 2.0], "a text seen earlier keeps its vector; only 'b' is new"
        with embed.remembering():  # an inner block keeps the outer one's memory
            assert encoder.encode(["a", "b", "c"])[:, 0].tolist() == [1.0, 2.0, 3.0]
        again[0, 0] = -1.0  # a caller changing its copy does not change what the next call gets
        assert encoder.encode(["a"])[0, 0] == first[0, 0] == 1.0
        elsewhere = []
        worker = threading.Thread(target=lambda: elsewhere.append(encoder.encode(["a"])))
        worker.start()
        worker.join()
    assert encoder._backend.calls == [["a"], ["b"], ["c"], ["a"]], "another thread must not share the memory"
    assert encoder.encode(["a"])[0, 0] == 5.0 and len(encoder._backend.calls) == 5


def test_a_kept_memory_carries_vectors_to_the_next_block_and_keeps_only_what_a_block_read():
    encoder = object.__new__(embed.Encoder)
    encoder._backend, encoder._lock = Counting(), threading.Lock()
    memory = embed.Memory()
    with embed.remembering(memory):
        encoder.encode(["first turn", "its phrase"])
    with embed.remembering(memory):
        follow_up = encoder.encode(["first turn", "second turn"])
    assert encoder._backend.calls == [["first turn", "its phrase"], ["second turn"]], "only the new text is encoded"
    assert follow_up[:, 0].tolist() == [1.0, 2.0]
    assert sorted(text for _, text in memory) == ["first turn", "second turn"], "'its phrase' was not read again"
    with embed.remembering():
        encoder.encode(["first turn"])
    assert len(encoder._backend.calls) == 3, "a block without the memory does not read it"
    assert getattr(embed._MEMO, "vectors", None) is None, "the memory is not left in place after its block"
    with embed.remembering():
        with embed.remembering(memory):  # a kept memory inside a block, then the block's own memory again
            encoder.encode(["second turn"])
        encoder.encode(["third turn"])
        encoder.encode(["third turn"])
    assert encoder._backend.calls[3:] == [["third turn"]]
    assert "third turn" not in {text for _, text in memory}
