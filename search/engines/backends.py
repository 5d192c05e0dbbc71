"""Choosing the search backend from configuration."""
from __future__ import annotations

from registry.core.config import Settings


def make_backend(settings: Settings, db):
    if settings.search_backend in ("elasticsearch", "opensearch", "auto"):
        from search.engines.elastic import EngineBackend
        return EngineBackend(settings.es_url, settings.es_index_prefix, db=db,
                             word_analyzer=settings.es_word_analyzer, engine=settings.search_backend,
                             refresh_interval=settings.es_refresh_interval or None,
                             timeout=settings.es_timeout_seconds)
    from search.engines.embedded import EmbeddedSearch
    return EmbeddedSearch()
