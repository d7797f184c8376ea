"""config.runtime: a serving process takes start-up's objects out of the collector's way."""

import gc

from config.runtime import settle


def test_settling_freezes_start_up_and_spaces_full_collections(settings):
    settings.GC_FULL_COLLECTION_AFTER = 77
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (threshold[0], threshold[1], 77)
    finally:
        gc.set_threshold(*threshold)
