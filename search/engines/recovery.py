"""Start-up catch-up of the search index after a crash.

The embedded backend writes its documents and mappings in the change's own transaction, so it has
no window to recover. Elasticsearch is updated after the commit; a process that dies in between
leaves the change queued in `search_outbox`, which is replayed here when the app starts (setting
`search_catch_up_on_start`). A cluster that is down at start-up does not stop the app: the failure
is logged and the readiness probe reports the queued rows until a later write or `registry reindex`
replays them.
"""
from __future__ import annotations

import logging

log = logging.getLogger("search.engines.recovery")


def catch_up_search(reg) -> int:
    """Replay what the search backend has queued; returns the number of resources replayed."""
    replay = getattr(reg.search, "replay_outbox", None)
    if replay is None or not reg.settings.search_catch_up_on_start:
        return 0
    try:
        done = replay()
    except Exception as exc:  # noqa: BLE001 - logged and reported by /readyz, never swallowed silently
        log.error("search outbox replay at start-up failed; rows stay queued: %s", exc)
        return 0
    if done:
        log.info("search outbox replayed at start-up: %d resource(s)", done)
    return done
