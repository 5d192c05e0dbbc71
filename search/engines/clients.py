"""Thin client adapters: one per search engine, all speaking plain dicts, all raising EngineError.

The backend (`search.engines.elastic.EngineBackend`) builds every request body itself, engine-neutral
(`search.engines.es_mappings`), and talks to the engine only through the few calls below. Each engine
has its own Python client, because neither accepts the other's server:

- Elasticsearch 8 and 9: the `elasticsearch` 8.x client (the 9.x client talks to ES 9 only; the
  8.x client sends `compatible-with=8` headers that ES 9 accepts). It refuses any server whose
  answers lack the `X-Elastic-Product` header, i.e. OpenSearch.
- OpenSearch 1, 2 and 3: `opensearch-py` (plain `application/json`). The `elasticsearch`
  client's bodies get HTTP 406 from OpenSearch. opensearch-py itself would talk to Elasticsearch
  8 (most calls answer), so the adapter checks `GET /` before its first request and refuses an
  Elasticsearch server, as the `elasticsearch` client refuses OpenSearch.

`auto` asks `GET /` once (lazily, so an engine that is down at start-up is detected when it comes
back): `version.distribution == "opensearch"` means OpenSearch, an `X-Elastic-Product:
Elasticsearch` header means Elasticsearch; anything else is refused.
"""
from __future__ import annotations

import base64
import functools
import json
import socket
import threading
import urllib.error
import urllib.request
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

ENGINES = ("elasticsearch", "opensearch", "auto")


def hosts_of(url: str) -> list[str]:
    """REGISTRY_ES_URL may name several nodes of one cluster, comma-separated: the client spreads
    requests over them and retries a failed request on another node."""
    return [part.strip() for part in url.split(",") if part.strip()]
REQUEST_TIMEOUT = 10      # seconds, per attempt (one retry): a hung engine must not hold a request long
BULK_CHUNK = 500


class EngineError(Exception):
    """The engine failed. `kind`: unreachable | timeout | missing (404) | incompatible (the other
    engine's client: 406, no product header) | refused (other 4xx) | failed (5xx)."""

    def __init__(self, kind: str, message: str, status: int | None = None, info: Any = None):
        super().__init__(f"{kind}{f' ({status})' if status else ''}: {message}")
        self.kind = kind
        self.status = status
        self.info = info


def _kind_for_status(status: int | None) -> str:
    if status == 404:
        return "missing"
    if status == 406:   # OpenSearch answering the elasticsearch client's compatible-with media type
        return "incompatible"
    if status is not None and 400 <= status < 500:
        return "refused"
    return "failed"


def _reason(info: Any) -> str:
    """The engine's own reason, short (error.root_cause[0].reason, or error.reason)."""
    try:
        error = info["error"] if isinstance(info, dict) else json.loads(info)["error"]
        if isinstance(error, dict):
            causes = error.get("root_cause") or [error]
            return f"{causes[0].get('type')}: {causes[0].get('reason')}"[:300]
        return str(error)[:300]
    except (KeyError, TypeError, ValueError, IndexError):
        return str(info)[:300]


class _Adapter:
    """What the backend needs from an engine. Subclasses translate their client's exceptions."""

    product = ""

    def __init__(self, url: str, timeout: float = REQUEST_TIMEOUT):
        self.url = url
        self.timeout = timeout

    def _check_product(self) -> None:
        """Raise EngineError('incompatible') before the first request to the other engine's server."""

    # each returns plain JSON (dicts), raises EngineError
    def info(self) -> dict: raise NotImplementedError
    def health(self) -> dict: raise NotImplementedError
    def search(self, index: str, body: dict) -> dict: raise NotImplementedError
    def get_alias(self, pattern: str) -> dict: raise NotImplementedError
    def index_exists(self, name: str) -> bool: raise NotImplementedError
    def create_index(self, name: str, settings: dict, mappings: dict, aliases: dict) -> None: raise NotImplementedError
    def get_mapping(self, index: str) -> dict: raise NotImplementedError
    def put_settings(self, index: str, settings: dict) -> None: raise NotImplementedError
    def refresh(self, index: str) -> None: raise NotImplementedError
    def update_aliases(self, actions: list[dict]) -> None: raise NotImplementedError
    def delete_index(self, names: list[str]) -> None: raise NotImplementedError

    def bulk(self, actions: Iterable[dict], refresh: str | None = None,
             timeout: float | None = None) -> tuple[int, list[dict]]:
        """Send index/delete actions (require_alias: never auto-create an index). Returns the number
        done and the failed items (a delete of an absent document is not a failure)."""
        raise NotImplementedError

    def _streaming(self, helper, client, actions, refresh, **kwargs) -> tuple[int, list[dict]]:
        done, failed = 0, []
        params = {"require_alias": True, **kwargs}
        if refresh:
            params["refresh"] = refresh
        for ok, item in helper(client, actions, chunk_size=BULK_CHUNK, raise_on_error=False,
                               raise_on_exception=True, **params):
            op, result = next(iter(item.items()))
            if ok:
                done += 1
            elif not (op == "delete" and result.get("status") == 404):
                failed.append(result)
        return done, failed


def _translating(exceptions: tuple, classify):
    """Decorate every public adapter method so the client's exceptions become EngineError."""
    def decorate(cls):
        for name in ("info", "health", "search", "get_alias", "index_exists", "create_index", "get_mapping",
                     "put_settings", "refresh", "update_aliases", "delete_index", "bulk"):
            method = getattr(cls, name)

            @functools.wraps(method)
            def wrapped(self, *args, _method=method, **kwargs):
                self._check_product()
                try:
                    return _method(self, *args, **kwargs)
                except EngineError:
                    raise
                except exceptions as exc:
                    raise classify(exc) from exc
            setattr(cls, name, wrapped)
        return cls
    return decorate


# -- Elasticsearch 8/9 ---------------------------------------------------------------------------

def _es_exceptions():
    from elastic_transport import ConnectionTimeout, TransportError
    from elasticsearch import ApiError, UnsupportedProductError
    return ApiError, TransportError, ConnectionTimeout, UnsupportedProductError


def _classify_es(exc) -> EngineError:
    ApiError, _TransportError, ConnectionTimeout, UnsupportedProductError = _es_exceptions()
    if isinstance(exc, UnsupportedProductError):
        return EngineError("incompatible", "the server is not Elasticsearch (use REGISTRY_SEARCH_BACKEND=opensearch "
                                           "or auto)", getattr(exc.meta, "status", None))
    if isinstance(exc, ApiError):
        return EngineError(_kind_for_status(exc.meta.status), _reason(exc.body), exc.meta.status, exc.body)
    if isinstance(exc, ConnectionTimeout):
        return EngineError("timeout", str(exc)[:300])
    return EngineError("unreachable", str(exc)[:300])


def _es_exception_tuple() -> tuple:
    ApiError, TransportError, _, UnsupportedProductError = _es_exceptions()
    return ApiError, TransportError, UnsupportedProductError


class ElasticsearchClient(_Adapter):
    """Elasticsearch 8 and 9 through the `elasticsearch` 8.x client."""

    product = "elasticsearch"

    def __init__(self, url: str, timeout: float = REQUEST_TIMEOUT, client=None):
        super().__init__(url, timeout)
        from elasticsearch import Elasticsearch
        self.client = client or Elasticsearch(hosts_of(url), request_timeout=timeout, max_retries=1,
                                              retry_on_timeout=True)

    def info(self) -> dict:
        return self.client.info().body

    def health(self) -> dict:
        return self.client.cluster.health().body

    def search(self, index: str, body: dict) -> dict:
        return self.client.search(index=index, body=body).body

    def get_alias(self, pattern: str) -> dict:
        return self.client.indices.get_alias(index=pattern).body

    def index_exists(self, name: str) -> bool:
        return bool(self.client.indices.exists(index=name))

    def create_index(self, name, settings, mappings, aliases) -> None:
        self.client.indices.create(index=name, settings=settings, mappings=mappings, aliases=aliases)

    def get_mapping(self, index: str) -> dict:
        return self.client.indices.get_mapping(index=index).body

    def put_settings(self, index, settings) -> None:
        self.client.indices.put_settings(index=index, settings=settings)

    def refresh(self, index) -> None:
        self.client.indices.refresh(index=index)

    def update_aliases(self, actions) -> None:
        self.client.indices.update_aliases(actions=actions)

    def delete_index(self, names) -> None:
        self.client.indices.delete(index=",".join(names))

    def bulk(self, actions, refresh=None, timeout=None):
        from elasticsearch import helpers
        client = self.client.options(request_timeout=timeout) if timeout else self.client
        return self._streaming(helpers.streaming_bulk, client, actions, refresh)


# -- OpenSearch 1/2/3 ----------------------------------------------------------------------------

def _classify_os(exc) -> EngineError:
    from opensearchpy import ConnectionError as OSConnectionError, ConnectionTimeout, TransportError
    if isinstance(exc, ConnectionTimeout):
        return EngineError("timeout", str(exc)[:300])
    if isinstance(exc, OSConnectionError):
        return EngineError("unreachable", str(exc)[:300])
    if isinstance(exc, TransportError):
        status = exc.status_code if isinstance(exc.status_code, int) else None
        return EngineError(_kind_for_status(status), _reason(exc.info), status, exc.info)
    return EngineError("failed", str(exc)[:300])


class OpenSearchClient(_Adapter):
    """OpenSearch 1, 2 and 3 through `opensearch-py`."""

    product = "opensearch"

    def __init__(self, url: str, timeout: float = REQUEST_TIMEOUT, client=None):
        super().__init__(url, timeout)
        from opensearchpy import OpenSearch
        # pool_maxsize: keep a connection per concurrent thread (the default, 1, reconnects each time)
        self.client = client or OpenSearch(hosts_of(url), timeout=timeout, max_retries=1, retry_on_timeout=True,
                                           pool_maxsize=16)
        self.product_checked = client is not None

    def _check_product(self) -> None:
        """Once per client (again after the engine was unreachable): refuse Elasticsearch, which
        would otherwise answer opensearch-py's requests. A server `GET /` does not identify (e.g.
        a proxy or a user not allowed `GET /`) is given the benefit of the doubt."""
        if self.product_checked:
            return
        try:
            kind = detect_engine(self.url, self.timeout)
        except EngineError as exc:
            if exc.kind in ("unreachable", "timeout"):
                raise
            kind = "unknown"
        if kind == "elasticsearch":
            raise EngineError("incompatible", "the server is Elasticsearch, not OpenSearch (use "
                                              "REGISTRY_SEARCH_BACKEND=elasticsearch or auto)")
        self.product_checked = True

    def info(self) -> dict:
        return self.client.info()

    def health(self) -> dict:
        return self.client.cluster.health()

    def search(self, index: str, body: dict) -> dict:
        return self.client.search(index=index, body=body)

    def get_alias(self, pattern: str) -> dict:
        return self.client.indices.get_alias(index=pattern)

    def index_exists(self, name: str) -> bool:
        return bool(self.client.indices.exists(index=name))

    def create_index(self, name, settings, mappings, aliases) -> None:
        self.client.indices.create(index=name, body={"settings": settings, "mappings": mappings, "aliases": aliases})

    def get_mapping(self, index: str) -> dict:
        return self.client.indices.get_mapping(index=index)

    def put_settings(self, index, settings) -> None:
        self.client.indices.put_settings(index=index, body=settings)

    def refresh(self, index) -> None:
        self.client.indices.refresh(index=index)

    def update_aliases(self, actions) -> None:
        self.client.indices.update_aliases(body={"actions": actions})

    def delete_index(self, names) -> None:
        self.client.indices.delete(index=",".join(names))

    def bulk(self, actions, refresh=None, timeout=None):
        from opensearchpy import helpers
        extra = {"request_timeout": timeout} if timeout else {}
        return self._streaming(helpers.streaming_bulk, self.client, actions, refresh, **extra)


def _os_exception_tuple() -> tuple:
    from opensearchpy import OpenSearchException
    from opensearchpy.exceptions import ImproperlyConfigured
    return OpenSearchException, ImproperlyConfigured


ElasticsearchClient = _translating(_es_exception_tuple(), _classify_es)(ElasticsearchClient)
OpenSearchClient = _translating(_os_exception_tuple(), _classify_os)(OpenSearchClient)
ADAPTERS = {"elasticsearch": ElasticsearchClient, "opensearch": OpenSearchClient}


# -- detection -----------------------------------------------------------------------------------

def detect_engine(url: str, timeout: float = REQUEST_TIMEOUT) -> str:
    """'opensearch' or 'elasticsearch', from `GET /` (plain HTTP, no client: neither client talks to
    the other's server) of the first node that answers. Raises EngineError when none can be reached
    or the engine is neither."""
    hosts = hosts_of(url)
    for host in hosts[:-1]:
        try:
            return _detect_one(host, timeout)
        except EngineError as exc:
            if exc.kind not in ("unreachable", "timeout"):
                raise
    return _detect_one(hosts[-1] if hosts else url, timeout)


def _detect_one(url: str, timeout: float) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else parts.netloc
    request = urllib.request.Request(urlunsplit(parts._replace(netloc=netloc, path="/", query="")),
                                     headers={"Accept": "application/json"})
    if parts.username is not None:
        token = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            product = response.headers.get("X-Elastic-Product", "")
            body = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if exc.headers.get("X-Elastic-Product") == "Elasticsearch":   # e.g. a minimal build without GET /
            return "elasticsearch"
        raise EngineError(_kind_for_status(exc.code), f"GET / answered {exc.code}", exc.code) from None
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
        kind = "timeout" if isinstance(getattr(exc, "reason", exc), socket.timeout) else "unreachable"
        raise EngineError(kind, f"GET / failed: {exc}") from None
    except ValueError:
        raise EngineError("refused", "GET / did not answer JSON: not a search engine") from None
    version = body.get("version") or {}
    if version.get("distribution") == "opensearch":
        return "opensearch"
    if product == "Elasticsearch":
        return "elasticsearch"
    raise EngineError("refused", f"GET / answered neither OpenSearch nor Elasticsearch 8+ "
                                 f"(version {version.get('number')!r}); set REGISTRY_SEARCH_BACKEND explicitly")


class AutoClient:
    """Detects the engine on first use (and again after a failed detection), then delegates."""

    product = "auto"

    def __init__(self, url: str, timeout: float = REQUEST_TIMEOUT):
        self.url = url
        self.timeout = timeout
        self._client: _Adapter | None = None
        self._lock = threading.Lock()

    def resolve(self) -> _Adapter:
        with self._lock:
            if self._client is None:
                kind = detect_engine(self.url, self.timeout)
                self._client = ADAPTERS[kind](self.url, self.timeout)
                self._client.product_checked = True      # just detected
            return self._client

    @property
    def detected(self) -> str | None:
        return self._client.product if self._client else None

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in _Adapter.__dict__:
            raise AttributeError(name)
        return getattr(self.resolve(), name)


def make_client(engine: str, url: str, timeout: float = REQUEST_TIMEOUT):
    if engine == "auto":
        return AutoClient(url, timeout)
    if engine not in ADAPTERS:
        raise ValueError(f"unknown search engine {engine!r}; choose one of {ENGINES}")
    return ADAPTERS[engine](url, timeout)
