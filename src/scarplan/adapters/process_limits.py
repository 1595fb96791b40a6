"""Limits on this process, set by `scarplan serve`'s workers and by `scarplan worker`."""

from __future__ import annotations

import logging
import resource

_log = logging.getLogger(__name__)
MB = 1024 * 1024


def limit_worker_memory(limit_mb: int | None) -> None:
    """Cap this process's address space (`worker_memory_limit_mb`): an allocation past it
    raises MemoryError in the thread that asked, which a job reports as its failure, rather
    than the whole machine running out of memory."""
    if limit_mb is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = limit_mb * MB if hard == resource.RLIM_INFINITY else min(limit_mb * MB, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _log.info("worker memory limited to %d MB of address space", limit // MB)
