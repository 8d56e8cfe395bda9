"""Retrieval tools: BM25, dense and hybrid indexes; tool, demonstration and expert retrieval.

Heavy libraries (bm25s, sentence-transformers, torch) load inside functions, so importing
this package is fast. Importing it registers the retrieval tools in the default registry.
"""

from toolpath.tools.retrieval import registered as registered
from toolpath.tools.retrieval.corpus import Chunk, chunk_text, load_corpus
from toolpath.tools.retrieval.embedder import embed, load_embedder
from toolpath.tools.retrieval.indexes import (
    BM25Index,
    DenseIndex,
    HybridIndex,
    load_index,
    make_index,
    reciprocal_rank_fusion,
)
from toolpath.tools.retrieval.specialised import DemoRetriever, ExpertRetriever, ToolRetriever

__all__ = [
    "BM25Index",
    "Chunk",
    "DemoRetriever",
    "DenseIndex",
    "ExpertRetriever",
    "HybridIndex",
    "ToolRetriever",
    "chunk_text",
    "embed",
    "load_corpus",
    "load_embedder",
    "load_index",
    "make_index",
    "reciprocal_rank_fusion",
]
