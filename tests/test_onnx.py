"""The ONNX Runtime backend: same vectors as sentence-transformers, answers without torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings
from bot.startup import make_embedder
from corpus import BUNDLED_CORPUS, Corpus
from corpus.errors import ConfigurationError, ModelError
from embeddings.onnx_model import EXPORT_INFO, MAX_PADDING, MODEL_FILE, OnnxEmbedder, length_groups
from embeddings.passages import Chunking, chunk_documents
from embeddings.sentence_model import SentenceTransformerEmbedder
from tests.test_cli_support import cli_environment


def test_the_backend_is_a_setting(tmp_path: Path) -> None:
    assert isinstance(make_embedder(Settings()), OnnxEmbedder)
    chosen = Settings.from_env({"ARTICLE_BOT_EMBEDDER": "Sentence-Transformers"})
    assert isinstance(make_embedder(chosen), SentenceTransformerEmbedder)
    with pytest.raises(ConfigurationError, match="ARTICLE_BOT_EMBEDDER must be one of onnx"):
        Settings.from_env({"ARTICLE_BOT_EMBEDDER": "tensorflow"})
    cache = Settings.from_env({"ARTICLE_BOT_CACHE_DIR": str(tmp_path / "c")}).cache_dir
    assert cache == tmp_path / "c"


@pytest.mark.integration
def test_onnx_vectors_match_sentence_transformers_on_every_passage_and_sentence(
    real_embedder: OnnxEmbedder, torch_embedder: SentenceTransformerEmbedder, bundled_corpus: Corpus
) -> None:
    passages = chunk_documents(bundled_corpus.documents, Chunking())
    texts = [p.embedding_text for p in passages] + [s for p in passages for s in p.sentences]
    assert len(texts) > 100
    onnx, reference = real_embedder.embed_documents(texts), torch_embedder.embed_documents(texts)
    assert onnx.shape == reference.shape == (len(texts), 384)
    cosines = np.sum(onnx * reference, axis=1)
    assert cosines.min() >= 0.999, texts[int(cosines.argmin())]
    assert real_embedder.model_id == torch_embedder.model_id  # one index serves both
    # A question alone (no padding) matches too.
    question = "What did the author say about sanctions?"
    query = real_embedder.embed_query(question)
    assert float(query @ torch_embedder.embed_query(question)) >= 0.999


def test_question_batches_are_cut_by_length_with_little_padding() -> None:
    lengths = [13] * 24 + [40, 9] + [14] * 8 + [16] * 24 + [18] * 8 + [90]
    groups = length_groups(lengths, limit=32)
    assert sorted(row for group in groups for row in group) == list(range(len(lengths)))
    for group in groups:
        assert len(group) <= 32
        real = sum(lengths[i] for i in group)
        assert len(group) * max(lengths[i] for i in group) <= (1 + MAX_PADDING) * real
    assert [lengths[g[0]] for g in groups] == sorted(lengths[g[0]] for g in groups)
    assert groups[-1] == [len(lengths) - 1]  # the long question is not padded up to
    assert length_groups([], limit=32) == []
    assert length_groups([7], limit=32) == [[0]]


@pytest.mark.integration
def test_questions_batched_by_length_get_the_vectors_they_get_alone(
    real_embedder: OnnxEmbedder,
) -> None:
    questions = [
        "Why?",
        "What does the author think of sending weapons to Ukraine?",
        "Who wrote it?",
        "What did Gazza say about the DNC emails and the reset with Russia in 2009?",
        "Which commenter brought up the petrodollar?",
    ]
    batched = real_embedder.embed_queries(questions)
    alone = np.stack([real_embedder.embed_query(q) for q in questions])
    assert batched.shape == (len(questions), 384)
    assert np.sum(batched * alone, axis=1).min() >= 0.9999


@pytest.mark.integration
def test_ask_answers_without_importing_torch(
    real_index_dir: Path, real_embedder: OnnxEmbedder
) -> None:
    script = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "code = main(['ask', '--json', 'What did Congress do to punish Russia?'])\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers')\n"
        "         if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    env = cli_environment(
        {
            "ARTICLE_BOT_CORPUS_DIR": str(BUNDLED_CORPUS),
            "ARTICLE_BOT_INDEX_DIR": str(real_index_dir),
            "ARTICLE_BOT_CACHE_DIR": str(real_embedder.export_folder.parent.parent),
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    reply, status = (json.loads(line) for line in done.stdout.splitlines())
    assert status == {"code": 0, "heavy": []}
    assert reply["found"] and reply["citations"]
    assert "sanctions" in reply["answer"]


@pytest.mark.integration
def test_a_damaged_export_is_reported_with_the_folder_to_delete(
    real_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    (cache / "onnx").mkdir(parents=True)
    folder = OnnxEmbedder(cache_dir=cache).export_folder
    shutil.copytree(real_embedder.export_folder, folder)
    (folder / MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="Delete that folder to export the model again"):
        OnnxEmbedder(cache_dir=cache).load()
    assert json.loads((folder / EXPORT_INFO).read_text())["dimension"] == 384
