"""Run async test scenarios in a thread of their own.

Playwright's sync API keeps an event loop alive in the main test thread once a browser test
has run, and neither `asyncio.run` nor `async_to_sync` may start inside a running loop. Socket
tests therefore run their scenario on a fresh thread with its own loop.
"""

import asyncio
import threading


def run_scenario(scenario) -> object:
    """Run `scenario()` (a coroutine function) to completion on a new thread; re-raise errors."""
    from channels.layers import channel_layers

    # A channel layer's locks belong to the event loop that first used them: give each
    # scenario (a new loop) a fresh layer.
    channel_layers.backends = {}
    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="scenario")
    thread.start()
    thread.join()
    channel_layers.backends = {}
    if "error" in result:
        raise result["error"]
    return result.get("value")
