"""The search engines: the embedded backend in the database and OpenSearch/Elasticsearch, their
queries, documents and client adapters."""
