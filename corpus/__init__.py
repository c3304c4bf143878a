"""Reading and parsing documents into their parts. ``bundled/`` is the default corpus
folder: the bundled article, shipped with the package as data."""

from pathlib import Path

from corpus.loading import Corpus, corpus_files, load_corpus, load_document, parse_document
from corpus.model import Comment, Document, Paragraph

BUNDLED_CORPUS = Path(__file__).resolve().parent / "bundled"

__all__ = [
    "BUNDLED_CORPUS",
    "Comment",
    "Corpus",
    "Document",
    "Paragraph",
    "corpus_files",
    "load_corpus",
    "load_document",
    "parse_document",
]
