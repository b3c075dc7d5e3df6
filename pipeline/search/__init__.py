"""Search: full-text search of the archive in Malay and English, with filters and facets.

The index (``archive/index``) is derived data, rebuilt from the register by `rebuild`; filing
adds documents with `index_documents`, and `search` catches up whatever is missing first.
The only package that imports Whoosh. Its parts, one job each:

    stemmer    Malay and English stems          analysis   text -> index terms
    concepts   countries, types, levels and glossary subjects named in either language
    schema     what the index holds of a document
    store      the index directory: generations, locks, opening
    writer     adding, deleting, rebuilding       query      the typed query and filters
    postings   decoded postings, bitsets          searcher   open searchers and their caches
    matching   every match of a query             scoring    the best page, by BM25F
    results    hits, snippets, facets             sync       register <-> index
    hits       the typed result: SearchResult, SearchHit, HitFile
"""

from __future__ import annotations

from .analysis import analyze
from .concepts import GLOSS_PREFIX
from .hits import HitFile, SearchHit, SearchResult
from .results import MARK_END, MARK_START, indexed_doc_ids
from .results import search as search_index
from .schema import EXCERPT_CHARS, SCHEMA_VERSION
from .searcher import close_all
from .store import LOCK_WAIT, Index, open_index
from .sync import ensure_index, index_documents, rebuild, search, unindexed
from .writer import add_documents, delete_document
from .writer import rebuild as rebuild_index

__all__ = [
    "EXCERPT_CHARS",
    "GLOSS_PREFIX",
    "LOCK_WAIT",
    "MARK_END",
    "MARK_START",
    "SCHEMA_VERSION",
    "HitFile",
    "Index",
    "SearchHit",
    "SearchResult",
    "add_documents",
    "analyze",
    "close_all",
    "delete_document",
    "ensure_index",
    "index_documents",
    "indexed_doc_ids",
    "open_index",
    "rebuild",
    "rebuild_index",
    "search",
    "search_index",
    "unindexed",
]
