"""gunicorn config for the uncached runs of bench/search_bench.py: each worker empties and disables
the per-process search caches (answers, package dicts, item rows) after it forks, so every request
computes its answer (the engine or the database, then the dicts) as on a cache miss.

    gunicorn -c bench/nocache_gunicorn.py ...
"""


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    from search.engines.result_cache import ITEMS, PACKAGES, RESULTS
    for cache in (RESULTS, PACKAGES, ITEMS):
        cache.clear()
        cache.size = 0          # ResultCache.put keeps at most `size` entries: none
