"""Choosing the search backend from configuration."""
from __future__ import annotations

from registry.config import Settings


def make_backend(settings: Settings, db):
    if settings.search_backend == "elasticsearch":
        from search.elastic import ElasticsearchBackend
        return ElasticsearchBackend(settings.es_url, settings.es_index_prefix, db=db,
                                    word_analyzer=settings.es_word_analyzer)
    from search.embedded import EmbeddedSearch
    return EmbeddedSearch()
