"""Lexical (BM25), dense (MiniLM) and hybrid (reciprocal-rank fusion) indexes.

Every index holds documents with string ids, grows by `add`, answers `search(query, k)`
with `(id, score)` pairs best first, and is saved to / loaded from a directory (written
atomically; arrays as safetensors or numpy without pickle).

Dense search is exact: a matrix product over all unit-norm embeddings, then a partial
sort. At 10,000 documents of 384 dimensions that is ~4 M multiply-adds per query, well
under a millisecond; query embedding dominates the latency.

No cross-encoder reranker is offered: none of the packages reachable offline ships
cross-encoder weights in a loadable safe format (rerankers/flashrank fetch weights from a
hub at run time; `small-hybrid-reranker` ships a joblib pickle and fetches static
embeddings), and loading from a hub is not allowed here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from toolpath.tools.extras import require
from toolpath.tools.files import atomic_dir
from toolpath.tools.retrieval import embedder
from toolpath.tools.retrieval.storage import (
    IndexFormatError,
    read_docs,
    read_manifest,
    write_docs,
    write_manifest,
)

RRF_K = 60  # the reciprocal-rank-fusion constant of Cormack et al. (2009)
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = """a an and are as at be but by for from has have i if in into is it its me my of
on or our please so such that the their then there these they this to was we were will with you
your can could would should do does"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stop words, plural endings folded."""
    tokens = []
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        tokens.append(word)
    return tokens


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (ties broken by position)."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < scores.shape[0]:
        candidates = np.argpartition(-scores, k - 1)[:k]
    else:
        candidates = np.arange(scores.shape[0])
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


class _Index:
    """Documents and ids shared by every index kind."""

    kind: ClassVar[str] = ""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.docs: list[str] = []
        self._positions: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def text(self, doc_id: str) -> str:
        """The stored text of a document."""
        return self.docs[self._positions[doc_id]]

    def _accept(self, docs: list[str], ids: list[str] | None) -> list[str]:
        if isinstance(docs, str):
            raise TypeError("add() takes a list of documents, not one string")
        if ids is None:
            ids = [str(len(self.ids) + i) for i in range(len(docs))]
        ids = [str(doc_id) for doc_id in ids]
        if len(ids) != len(docs):
            raise ValueError(f"add(): {len(docs)} documents but {len(ids)} ids")
        seen = set(self._positions)
        for doc_id in ids:
            if doc_id in seen:
                raise ValueError(f"add(): document id {doc_id!r} is already in the index")
            seen.add(doc_id)
        for doc_id in ids:
            self._positions[doc_id] = len(self._positions)
        self.ids.extend(ids)
        self.docs.extend(str(doc) for doc in docs)
        return ids

    def _restore(self, ids: list[str], docs: list[str]) -> None:
        self.ids, self.docs = ids, docs
        self._positions = {doc_id: i for i, doc_id in enumerate(ids)}

    @staticmethod
    def _check_k(k: int) -> None:
        if k < 1:
            raise ValueError(f"search(): k must be at least 1, got {k}")


class BM25Index(_Index):
    """Okapi BM25 over word tokens (bm25s). Adding documents refits the corpus statistics."""

    kind = "bm25"

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        super().__init__()
        self.k1, self.b = k1, b
        self._tokens: list[list[str]] | None = []
        self._model = None

    def add(self, docs: list[str], ids: list[str] | None = None) -> None:
        """Add documents; BM25's idf and length norm depend on the whole corpus, so refit."""
        start = len(self.docs)
        self._accept(docs, ids)
        if self._tokens is None:
            self._tokens = [tokenize(doc) for doc in self.docs[:start]]
        self._tokens.extend(tokenize(doc) for doc in self.docs[start:])
        self._fit()

    def _fit(self) -> None:
        bm25s = require("bm25s", "retrieval")
        if not self._tokens:
            self._model = None
            return
        model = bm25s.BM25(k1=self.k1, b=self.b)
        # bm25s cannot index an empty vocabulary; a placeholder token matches no query word.
        model.index([tokens or ["\x00"] for tokens in self._tokens or []], show_progress=False)
        self._model = model

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        self._check_k(k)
        if self._model is None or not self.ids:
            return []
        known = [t for t in tokenize(query) if t in self._model.vocab_dict]
        if not known:
            return []
        k = min(k, len(self.ids))
        found = self._model.retrieve([known], k=k, show_progress=False, n_threads=1)
        return [
            (self.ids[int(i)], float(s))
            for i, s in zip(found.documents[0], found.scores[0], strict=True)
            if s > 0
        ]

    def save(self, folder: str | Path) -> None:
        with atomic_dir(Path(folder)) as staging:
            write_manifest(staging, self.kind, n=len(self), k1=self.k1, b=self.b)
            write_docs(staging, self.ids, self.docs)
            if self._model is not None:
                self._model.save(str(staging / "bm25"), allow_pickle=False)

    @classmethod
    def load(cls, folder: str | Path) -> BM25Index:
        manifest = read_manifest(Path(folder), cls.kind)
        index = cls(k1=manifest["k1"], b=manifest["b"])
        index._restore(*read_docs(Path(folder)))
        index._tokens = None  # re-tokenised on the next add()
        if index.ids:
            bm25s = require("bm25s", "retrieval")
            saved = Path(folder) / "bm25"
            if not saved.is_dir():
                raise IndexFormatError(f"{str(folder)!r}: missing bm25/ arrays")
            index._model = bm25s.BM25.load(str(saved), allow_pickle=False)
        return index


class DenseIndex(_Index):
    """Exact cosine search over all-MiniLM-L6-v2 embeddings."""

    kind = "dense"

    def __init__(self) -> None:
        super().__init__()
        self.embeddings = np.zeros((0, embedder.EMBEDDING_DIM), dtype=np.float32)

    def add(self, docs: list[str], ids: list[str] | None = None) -> None:
        """Embed and append documents (earlier embeddings are kept as they are)."""
        start = len(self.docs)
        self._accept(docs, ids)
        vectors = embedder.embed(self.docs[start:])
        self.embeddings = np.concatenate([self.embeddings, vectors], axis=0)

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query to every document, in index order."""
        return self.embeddings @ embedder.embed([query], memo=False)[0]

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        self._check_k(k)
        if not self.ids:
            return []
        scores = self.scores(query)
        return [(self.ids[int(i)], float(scores[i])) for i in top_k(scores, k)]

    def save(self, folder: str | Path) -> None:
        from safetensors.numpy import save_file

        with atomic_dir(Path(folder)) as staging:
            write_manifest(
                staging,
                self.kind,
                n=len(self),
                embedder=embedder.EMBEDDER_NAME,
                dim=embedder.EMBEDDING_DIM,
            )
            write_docs(staging, self.ids, self.docs)
            save_file(
                {"embeddings": np.ascontiguousarray(self.embeddings)},
                str(staging / "embeddings.safetensors"),
            )

    @classmethod
    def load(cls, folder: str | Path) -> DenseIndex:
        from safetensors.numpy import load_file

        folder = Path(folder)
        manifest = read_manifest(folder, cls.kind)
        if manifest.get("embedder") != embedder.EMBEDDER_NAME:
            raise IndexFormatError(
                f"{str(folder)!r} was embedded with {manifest.get('embedder')!r}, "
                f"not {embedder.EMBEDDER_NAME!r}"
            )
        index = cls()
        index._restore(*read_docs(folder))
        path = folder / "embeddings.safetensors"
        if not path.is_file():
            raise IndexFormatError(f"{str(folder)!r}: missing embeddings.safetensors")
        embeddings = load_file(str(path))["embeddings"].astype(np.float32)
        if embeddings.shape != (len(index.ids), embedder.EMBEDDING_DIM):
            raise IndexFormatError(
                f"{str(folder)!r}: {embeddings.shape[0]} embeddings for {len(index.ids)} documents"
            )
        index.embeddings = embeddings
        return index


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int, rrf_k: int = RRF_K
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum over lists of 1 / (rrf_k + rank of d)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (rrf_k + rank)
    order = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return order[:k]


class HybridIndex(_Index):
    """BM25 and dense search fused by reciprocal rank (RRF)."""

    kind = "hybrid"

    def __init__(self, depth: int = 100, rrf_k: int = RRF_K) -> None:
        super().__init__()
        self.depth, self.rrf_k = depth, rrf_k
        self.bm25 = BM25Index()
        self.dense = DenseIndex()

    def add(self, docs: list[str], ids: list[str] | None = None) -> None:
        ids = self._accept(docs, ids)
        self.bm25.add(docs, ids)
        self.dense.add(docs, ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Fuse the top `max(k, depth)` of each retriever."""
        self._check_k(k)
        depth = max(k, self.depth)
        rankings = [
            [doc_id for doc_id, _ in self.bm25.search(query, depth)],
            [doc_id for doc_id, _ in self.dense.search(query, depth)],
        ]
        return reciprocal_rank_fusion(rankings, k, self.rrf_k)

    def save(self, folder: str | Path) -> None:
        with atomic_dir(Path(folder)) as staging:
            write_manifest(staging, self.kind, n=len(self), depth=self.depth, rrf_k=self.rrf_k)
            write_docs(staging, self.ids, self.docs)
            self.bm25.save(staging / "bm25")
            self.dense.save(staging / "dense")

    @classmethod
    def load(cls, folder: str | Path) -> HybridIndex:
        folder = Path(folder)
        manifest = read_manifest(folder, cls.kind)
        index = cls(depth=manifest["depth"], rrf_k=manifest["rrf_k"])
        index._restore(*read_docs(folder))
        index.bm25 = BM25Index.load(folder / "bm25")
        index.dense = DenseIndex.load(folder / "dense")
        if index.bm25.ids != index.ids or index.dense.ids != index.ids:
            raise IndexFormatError(f"{str(folder)!r}: its bm25/ and dense/ parts disagree")
        return index


INDEX_KINDS: dict[str, type[BM25Index] | type[DenseIndex] | type[HybridIndex]] = {
    "bm25": BM25Index,
    "dense": DenseIndex,
    "hybrid": HybridIndex,
}
Index = BM25Index | DenseIndex | HybridIndex


def make_index(method: str) -> Index:
    """A new empty index of the named kind: bm25, dense or hybrid."""
    try:
        return INDEX_KINDS[method]()
    except KeyError:
        raise ValueError(
            f"unknown retrieval method {method!r}; choose one of {', '.join(INDEX_KINDS)}"
        ) from None


def load_index(folder: str | Path) -> Index:
    """Load whichever kind of index a directory holds."""
    kind = read_manifest(Path(folder)).get("kind")
    if kind not in INDEX_KINDS:
        raise IndexFormatError(f"{str(folder)!r}: unknown index kind {kind!r}")
    return INDEX_KINDS[kind].load(folder)
