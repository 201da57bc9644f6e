"""Encode text to unit vectors from an ONNX export (index.export) with ONNX Runtime and tokenizers: no torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.export import MODEL_FILE, TOKENIZER_FILE, load_runtime

# How long an encode's threads wait for each other by spinning before they sleep (README, Performance).
SPIN_US = 10


class OnnxModel:
    """An exported model in an ONNX Runtime session, and its tokenizer. Read-only after loading; `encode` may be
    called from several threads at once (ONNX Runtime sessions allow concurrent runs and release the GIL).

    Each run uses `threads_per_run` intra-op threads and up to `threads` runs go at once (index.embed.Encoder
    keeps their product within the cores). A run split over several threads spins for at most SPIN_US
    microseconds while it waits for them, then sleeps: threads that spin freely are faster on an idle machine but
    much slower when another process holds a core, and threads that never spin are slower on an idle one.
    """

    def __init__(self, folder: str | Path, threads: int = 1, threads_per_run: int = 1):
        """Load the export in `folder`; its graph was optimised when it was exported (index.export), so the
        session skips that pass."""
        from tokenizers import Tokenizer

        onnxruntime = load_runtime()

        folder = Path(folder)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads_per_run)
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.log_severity_level = 3
        if threads_per_run > 1:
            options.add_session_config_entry("session.intra_op.spin_duration_us", str(SPIN_US))
        self.session = onnxruntime.InferenceSession(str(folder / MODEL_FILE), options,
                                                    providers=["CPUExecutionProvider"])
        self.inputs = [node.name for node in self.session.get_inputs()]
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.dimension = int(self.session.get_outputs()[0].shape[-1])
        self.workers = max(1, threads)

    def encode(self, texts: list[str], batch_size: int = 32, workers: int | None = None) -> np.ndarray:
        """Unit vectors, one row per text, in input order. Batches are formed from texts of similar length and,
        when there are several, run by up to `workers` threads at once."""
        texts = [str(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda n: -len(texts[n]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
        workers = self.workers if workers is None else max(1, workers)

        def run(rows: list[int]) -> None:
            out[rows] = self._batch([texts[n] for n in rows])

        if workers > 1 and len(batches) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(workers, len(batches))) as pool:
                list(pool.map(run, batches))
        else:
            for rows in batches:
                run(rows)
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        columns = {"input_ids": [e.ids for e in encodings], "attention_mask": [e.attention_mask for e in encodings],
                   "token_type_ids": [e.type_ids for e in encodings]}
        feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self.inputs}
        vectors = self.session.run(None, feed)[0].astype(np.float32, copy=False)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
