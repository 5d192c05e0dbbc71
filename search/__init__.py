"""Search and duplicate-collection detection: one backend interface, embedded and Elasticsearch."""
