"""Choosing the search backend from configuration."""
from __future__ import annotations

from registry.config import Settings


def make_backend(settings: Settings, db):
    if settings.search_backend == "elasticsearch":
        from search.elastic import ElasticsearchBackend
        # es_word_analyzer (cjk | smartcn | ik) is read once Settings has that field; cjk until then
        return ElasticsearchBackend(settings.es_url, settings.es_index_prefix, db=db,
                                    word_analyzer=getattr(settings, "es_word_analyzer", "cjk"))
    from search.embedded import EmbeddedSearch
    return EmbeddedSearch()
