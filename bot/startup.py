"""Building the answering core from settings: shared by every front end."""

from __future__ import annotations

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import Notify, open_knowledge
from bot.settings import Settings
from embeddings.index import Progress
from embeddings.sentence_model import SentenceTransformerEmbedder


def answer_settings(settings: Settings) -> AnswerSettings:
    return AnswerSettings(settings.citations, settings.min_score, settings.max_question_chars)


def load_answerer(
    settings: Settings, notify: Notify = lambda message: None, progress: Progress | None = None
) -> Answerer:
    """Load corpus, index and model; a missing, stale or damaged index is rebuilt (said via
    ``notify``).

    The corpus and the index folder are checked before the model loads, so a broken
    corpus or an index folder the bot may not write is reported at once.
    """
    embedder = SentenceTransformerEmbedder(settings.model)
    knowledge = open_knowledge(
        settings.corpus_dir,
        settings.index_dir,
        embedder,
        settings.chunking,
        notify=notify,
        progress=progress,
    )
    embedder.load()
    return Answerer(knowledge, embedder, answer_settings(settings))
