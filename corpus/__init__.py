"""Reading and parsing documents into their parts. Also the default corpus folder:
the ``.txt`` / ``.md`` files beside this package's modules are the bundled documents."""

from pathlib import Path

from corpus.loading import Corpus, corpus_files, load_corpus, load_document, parse_document
from corpus.model import Comment, Document, Paragraph

BUNDLED_CORPUS = Path(__file__).resolve().parent

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
