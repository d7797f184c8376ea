"""What a serving process does once its application is loaded, before the first request."""

import gc

from django.conf import settings
from django.urls import get_resolver


def settle() -> None:
    """Import every view (the URLconf) now, then take what start-up made out of the garbage
    collector's way.

    A full collection walks every object the collector tracks: in a loaded Concord process, about
    200,000 of them and 100 ms on a 2-core machine. A large answer (the minutes of a busy
    meeting) allocates enough to set one off every few requests, which showed as a p95 four
    times the median. `gc.freeze()` moves what exists now (modules, classes, the URLconf) into a
    generation no collection walks, and a full collection waits for
    `GC_FULL_COLLECTION_AFTER` collections of the middle generation (CPython's default: 10).
    Cyclic garbage is still collected by the young generations' collections and by each full one.
    """
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, settings.GC_FULL_COLLECTION_AFTER)
