"""Chunking documents into passages, embedding them, and the on-disk index.

Never imports telegram or any CLI library; ``sentence_model`` is the only module that
imports sentence_transformers.
"""

from embeddings.embedder import Embedder, normalise
from embeddings.index import IndexSpec, Manifest, PassageIndex, build_index, load_index, save_index
from embeddings.passages import Chunking, Passage, chunk_documents, split_sentences
from embeddings.search import Hit, dense_search, reciprocal_rank_fusion

__all__ = [
    "Chunking",
    "Embedder",
    "Hit",
    "IndexSpec",
    "Manifest",
    "Passage",
    "PassageIndex",
    "build_index",
    "chunk_documents",
    "dense_search",
    "load_index",
    "normalise",
    "reciprocal_rank_fusion",
    "save_index",
    "split_sentences",
]
