"""Password and API-token hashing.

Passwords: argon2id (slow on purpose). API tokens are 256-bit random values, so a fast SHA-256
is enough to store them safely and lets a request find its token by hash in one index lookup.
"""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def configure(time_cost: int, memory_kib: int) -> None:
    """Set the cost of new hashes (verification reads the parameters stored in each hash)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _dummy_hash = None


def verify_dummy(password: str) -> bool:
    """Spend the time a real verification costs, for a login naming no account: an unknown name
    must not answer faster than a known one (that would tell which usernames exist)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    verify_password(_dummy_hash, password)
    return False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return "reg_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
