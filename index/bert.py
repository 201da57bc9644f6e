"""A lean BERT sentence encoder in plain torch, for fast start-up: no transformers or sentence-transformers import.

Importing sentence-transformers costs about 3-4 s on a 2-core machine (it pulls in transformers' model zoo,
scikit-learn, SciPy and pandas), far more than the model itself takes to load. A mean-pooled BERT such as
all-MiniLM-L6-v2 needs only torch, the Rust `tokenizers` and the safetensors weights, so `Bert` runs the same
computation directly. `supports()` accepts only folders that match that shape exactly; anything else is left to
sentence-transformers. tests/test_bert.py checks the vectors against sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TRANSFORMER = {"sentence_transformers.models.Transformer", "sentence_transformers.base.modules.Transformer",
               "sentence_transformers.base.modules.transformer.Transformer"}
POOLING = {"sentence_transformers.models.Pooling", "sentence_transformers.base.modules.Pooling",
           "sentence_transformers.sentence_transformer.modules.pooling.Pooling"}
NORMALIZE = {"sentence_transformers.models.Normalize", "sentence_transformers.base.modules.Normalize",
             "sentence_transformers.base.modules.normalize.Normalize"}
MEAN_ONLY = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
             "pooling_mode_mean_sqrt_len_tokens": False}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def supports(folder: str | Path) -> bool:
    """True for a local sentence-transformers folder holding a mean-pooled, absolute-position BERT."""
    folder = Path(folder)
    try:
        modules = [m.get("type") for m in _json(folder / "modules.json")]
        config = _json(folder / "config.json")
        pooling_dir = next(m["path"] for m in _json(folder / "modules.json") if m.get("type") in POOLING)
        pooling = _json(folder / pooling_dir / "config.json")
        st_config = _json(folder / "sentence_bert_config.json")
    except (OSError, ValueError, KeyError, StopIteration, TypeError, AttributeError):
        return False
    shape_ok = (len(modules) in (2, 3) and modules[0] in TRANSFORMER and modules[1] in POOLING
                and all(m in NORMALIZE for m in modules[2:]))
    return (shape_ok
            and config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (pooling.get("pooling_mode") == "mean" if "pooling_mode" in pooling
                 else all(pooling.get(k, False) == v for k, v in MEAN_ONLY.items()))
            and not st_config.get("do_lower_case", False)
            and not any(_prompts(folder).values())
            and (folder / "model.safetensors").is_file()
            and (folder / "tokenizer.json").is_file())


def _prompts(folder: Path) -> dict:
    """Prompts sentence-transformers would put before a text (the fast path has none)."""
    try:
        return _json(folder / "config_sentence_transformers.json").get("prompts") or {}
    except (OSError, ValueError, AttributeError):
        return {}


def max_tokens(folder: Path, config: dict) -> int:
    """The truncation length sentence-transformers uses: sentence_bert_config.json in the older layout,
    the tokenizer's model_max_length in the newer one, else the model's position limit."""
    limit = _json(folder / "sentence_bert_config.json").get("max_seq_length")
    if not limit and (folder / "tokenizer_config.json").is_file():
        limit = _json(folder / "tokenizer_config.json").get("model_max_length")
    return int(min(limit or config["max_position_embeddings"], config["max_position_embeddings"]))


class Bert:
    """BERT forward pass, mean pooling over real tokens, L2 normalisation. Read-only after loading."""

    def __init__(self, folder: str | Path):
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = _json(folder / "config.json")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.max_tokens = max_tokens(folder, config)
        raw = load_file(str(folder / "model.safetensors"))
        w = {k.removeprefix("bert."): v.to(torch.float32) for k, v in raw.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.dimension = int(self.word.shape[1])
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(w, f"encoder.layer.{n}.") for n in range(int(config["num_hidden_layers"]))]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)), pad_token="[PAD]")

    @staticmethod
    def _layer(w: dict, p: str) -> tuple:
        """One encoder layer's weights, with query, key and value fused into one matrix."""
        import torch

        qkv = [f"{p}attention.self.{name}" for name in ("query", "key", "value")]
        return (
            torch.cat([w[f"{n}.weight"] for n in qkv]), torch.cat([w[f"{n}.bias"] for n in qkv]),
            w[f"{p}attention.output.dense.weight"], w[f"{p}attention.output.dense.bias"],
            w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"],
            w[f"{p}intermediate.dense.weight"], w[f"{p}intermediate.dense.bias"],
            w[f"{p}output.dense.weight"], w[f"{p}output.dense.bias"],
            w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"],
        )

    def encode(self, texts: list[str], batch_size: int = 32, workers: int = 1) -> np.ndarray:
        """Unit vectors, one row per text, in input order. Batches are formed from texts of similar length and,
        when there are several, encoded by up to `workers` threads at once (torch releases the GIL)."""
        texts = [str(t).strip() for t in texts]
        order = sorted(range(len(texts)), key=lambda n: -len(texts[n]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]

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
        import torch
        import torch.nn.functional as F

        encodings = self.tokenizer.encode_batch(texts)
        with torch.inference_mode():
            ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
            mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.bool)
            batch, length = ids.shape
            dim, heads = self.dimension, self.heads
            h = F.layer_norm(self.word[ids] + self.position[:length] + self.token_type, (dim,), *self.norm, self.eps)
            keep = mask[:, None, None, :]
            for qkv_w, qkv_b, out_w, out_b, n1_w, n1_b, up_w, up_b, down_w, down_b, n2_w, n2_b in self.layers:
                q, k, v = F.linear(h, qkv_w, qkv_b).view(batch, length, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
                attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
                attended = attended.transpose(1, 2).reshape(batch, length, dim)
                h = F.layer_norm(F.linear(attended, out_w, out_b) + h, (dim,), n1_w, n1_b, self.eps)
                h = F.layer_norm(F.linear(F.gelu(F.linear(h, up_w, up_b)), down_w, down_b) + h, (dim,), n2_w, n2_b,
                                 self.eps)
            weights = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, dim=1).numpy()
