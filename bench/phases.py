"""Child process for the cold-start breakdown: times each step from a bare interpreter to the first answer.

Run as `python -m bench.phases "SITUATION"`; prints one JSON object with seconds per phase and which heavy
libraries ended up imported.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    marks = [("start", time.perf_counter())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    import numpy  # noqa: F401

    mark("import_numpy")
    from index.export import load_runtime

    load_runtime()

    mark("import_onnxruntime")
    import settings
    from corpus.model import load as load_framework
    from index import ready
    from retrieval.engine import Retriever

    mark("import_app")
    config = settings.get()
    framework = load_framework(config.framework)
    mark("load_framework")
    loaded = ready.load(framework, config)
    index, encoder = loaded.index, loaded.encoder
    mark("load_model_and_index")
    retriever = Retriever(framework, index, encoder, max_chars=config.max_chars)
    mark("make_retriever")
    result = retriever.search(sys.argv[1] if len(sys.argv) > 1 else "my team is struggling with a restructure")
    mark("first_query")
    phases = {name: round(t - marks[n][1], 3) for n, (name, t) in enumerate(marks[1:])}
    print(json.dumps({
        "phases_s": phases,
        "total_s": round(marks[-1][1] - marks[0][1], 3),
        "answered": result.top is not None,
        "rebuilt": bool(index.notices),
        "imported": {name: name in sys.modules for name in ("torch", "sentence_transformers", "transformers",
                                                              "faiss", "sklearn", "scipy", "pandas")},
        "encoder_backend": encoder.backend,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
