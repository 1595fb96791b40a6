"""What is worked out from content that never changes, kept by the content's digest.

A plan version's document is written once and never edited (a change makes a new version), and
the plan page parses it and draws most of itself from it on every visit: the parse and the
drawing cost more than the page's reads. Keyed by a digest of the stored text, not by a row id
(SQLite can hand a deleted row's id to a new row), an entry can only answer for the same
content, so it never needs invalidating and each process may keep its own. The TTL bounds how
long content stays in memory once nothing asks for it, an erased patient's included.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import TTLCache

ENTRIES = 512
TTL_SECONDS = 600.0

T = TypeVar("T")


def digest(text: str) -> str:
    """The content's key: 128 bits of BLAKE2b over its UTF-8 text."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class ContentCache(Generic[T]):
    """A bounded, thread-safe map from a content digest to what was made from the content."""

    def __init__(self, size: int = ENTRIES, ttl: float = TTL_SECONDS) -> None:
        self._entries: TTLCache[str, T] = TTLCache(size, ttl)
        self._lock = threading.Lock()

    def get_or_make(self, key: str, make: Callable[[], T]) -> T:
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        made = make()  # outside the lock: two threads may both make it once; either is right
        with self._lock:
            self._entries[key] = made
        return made
