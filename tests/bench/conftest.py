import pytest


def pytest_collection_modifyitems(items):
    """The benchmark harness's tests are slow: `make test-slow` runs them (in `.ci/run`)."""
    for item in items:
        if item.nodeid.startswith("tests/bench/"):
            item.add_marker(pytest.mark.slow)
