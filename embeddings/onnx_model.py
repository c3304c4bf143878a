"""The ONNX Runtime embedder: the same weights as sentence-transformers, without torch.

Answering needs only ``onnxruntime`` and ``tokenizers``. The ONNX file is made locally,
once, from the configured sentence-transformers model (nothing is downloaded): the whole
pipeline (transformer, pooling, normalisation) is traced with ``torch.onnx`` into
``CACHE_DIR/onnx/<key>/``, where ``<key>`` changes when the model's files change. Only
that export imports torch (through :mod:`embeddings.sentence_model`); every later start
loads the file directly.

    CACHE_DIR/onnx/<key>/
      model.onnx        float32 graph: input ids, attention mask (, token types) -> vector
      model.int8.onnx   the same with int8 weights (dynamic quantisation), made on request
      tokenizer.json    the model's tokenizer
      export.json       model id, dimension, maximum sequence length, input names
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import ModelError
from embeddings.embedder import Vectors, normalise
from embeddings.sentence_model import DEFAULT_MODEL, resolve_model

EXPORT_FORMAT = 1
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
EXPORT_INFO = "export.json"


def export_key(source: str) -> str:
    """A short key that changes when the model folder's files (names, sizes, times) do."""
    digest = hashlib.sha256(f"{EXPORT_FORMAT}\0{source}".encode())
    folder = Path(source)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(
                f"\0{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
            )
    return digest.hexdigest()[:16]


class OnnxEmbedder:
    """Embeds with ONNX Runtime from a local export of a sentence-transformers model.

    The export and the runtime session are made lazily on first use (or :meth:`load`).
    ``quantized`` serves the int8 variant: a different model id, so an index built with
    it is never mixed with float32 vectors.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        cache_dir: Path | None = None,
        batch_size: int = 32,
        quantized: bool = False,
        threads: int = 0,
    ) -> None:
        self._setting = model
        self._source, base_id = resolve_model(model)
        self._model_id = f"{base_id}+onnx-int8" if quantized else base_id
        self._cache_dir = (cache_dir or default_cache_dir()) / "onnx"
        self._batch_size = batch_size
        self._quantized = quantized
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._info: dict[str, Any] = {}

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        self._load()
        return int(self._info["dimension"])

    @property
    def export_folder(self) -> Path:
        return self._cache_dir / export_key(self._source)

    def load(self) -> None:
        """Export (first time only) and open the model now instead of on first use."""
        self._load()

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                folder = self.export_folder
                if not (folder / EXPORT_INFO).is_file():
                    export_model(self._setting, folder)
                if self._quantized and not (folder / INT8_FILE).is_file():
                    quantize_export(folder)
                self._open(folder)

    def _open(self, folder: Path) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer

            info = json.loads((folder / EXPORT_INFO).read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            tokenizer.enable_truncation(int(info["max_seq_length"]))
            tokenizer.no_padding()
            options = onnxruntime.SessionOptions()
            if self._threads:
                options.intra_op_num_threads = self._threads
            options.log_severity_level = 3
            # Idle worker threads sleep instead of spinning: the answering threads (word
            # matching, retrieval, replies) need those cores while the model runs, and on
            # a shared machine spinning made every call wait for preempted spinners.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.enable_cpu_mem_arena = False
            session = onnxruntime.InferenceSession(
                str(folder / (INT8_FILE if self._quantized else MODEL_FILE)),
                options,
                providers=["CPUExecutionProvider"],
            )
        except Exception as exc:  # a damaged export: say where it is; removing it re-exports
            raise ModelError(
                f"can't open the ONNX export in {folder}: {exc}. "
                "Delete that folder to export the model again."
            ) from exc
        self._info, self._tokenizer, self._session = info, tokenizer, session

    def _run(self, texts: Sequence[str]) -> Vectors:
        return self._run_encoded(self._tokenizer.encode_batch(list(texts)))

    def _run_encoded(self, encodings: Sequence[Any]) -> Vectors:
        """One model call over tokenised texts, padded to the longest of them."""
        width = max(len(e.ids) for e in encodings)
        columns = {
            "input_ids": np.zeros((len(encodings), width), dtype=np.int64),
            "attention_mask": np.zeros((len(encodings), width), dtype=np.int64),
            "token_type_ids": np.zeros((len(encodings), width), dtype=np.int64),
        }
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            columns["input_ids"][row, :n] = encoding.ids
            columns["attention_mask"][row, :n] = encoding.attention_mask
            columns["token_type_ids"][row, :n] = encoding.type_ids
        feed = {name: columns[name] for name in self._info["inputs"]}
        return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Shortest first, so each batch pads to about its own length.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), self._batch_size):
                rows = order[start : start + self._batch_size]
                out[rows] = self._run([texts[i] for i in rows])
        return normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Several questions at once (the micro-batcher's entry point), in calls of about
        equal token counts (:func:`length_groups`): every padding token costs as much
        model time as a real one, and questions vary in length far more than in count."""
        self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            for rows in length_groups(lengths, self._batch_size):
                out[rows] = self._run_encoded([encodings[i] for i in rows])
        return normalise(out)

    def embed_query(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]


# The share of padding a model call may carry before the longer texts go into a call of
# their own; each call costs a fixed overhead too, so an exact-length split is no better.
MAX_PADDING = 0.1


def length_groups(lengths: Sequence[int], limit: int) -> list[list[int]]:
    """Row numbers of ``lengths`` (token counts) in calls of at most ``limit`` rows, shortest
    first, each padded by at most :data:`MAX_PADDING` of its real tokens."""
    groups: list[list[int]] = []
    real = 0
    for row in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        group = groups[-1] if groups else []
        padded = (len(group) + 1) * lengths[row]
        if not group or len(group) >= limit or padded > (1 + MAX_PADDING) * (real + lengths[row]):
            groups.append([row])
            real = lengths[row]
        else:
            group.append(row)
            real += lengths[row]
    return groups


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/article-bot``, else ``~/.cache/article-bot``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "article-bot"


def export_model(model: str, folder: Path) -> None:
    """Trace the sentence-transformers pipeline for ``model`` into ``folder`` (atomically).

    Imports torch: this runs once per model and cache folder, never on a normal start.
    """
    from embeddings.sentence_model import SentenceTransformerEmbedder

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    staging.chmod(0o755)
    try:
        st = SentenceTransformerEmbedder(model)
        info = st.export_onnx(staging / MODEL_FILE, staging / TOKENIZER_FILE)
        (staging / EXPORT_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        try:
            os.rename(staging, folder)
        except OSError:  # another process exported it meanwhile: theirs is as good
            if not (folder / EXPORT_INFO).is_file():
                raise
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"can't export the model to ONNX in {folder}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def quantize_export(folder: Path) -> None:
    """Write ``model.int8.onnx`` beside ``model.onnx`` (dynamic int8 weight quantisation)."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fd, temporary = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=folder)
        os.close(fd)
        quantize_dynamic(folder / MODEL_FILE, temporary, weight_type=QuantType.QInt8)
        os.replace(temporary, folder / INT8_FILE)
    except Exception as exc:
        raise ModelError(f"can't quantise the ONNX export in {folder}: {exc}") from exc
