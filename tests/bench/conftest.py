import pytest
from django.test import modify_settings


def pytest_collection_modifyitems(items):
    """The benchmark harness's tests are slow: `make test-slow` runs them (in `.ci/run`)."""
    for item in items:
        if item.nodeid.startswith("tests/bench/"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="package", autouse=True)
def bench_installed():
    """The bench app installed, as `bench.settings` installs it (its `generate_load` command),
    for these tests and their class-wide caseloads; the product's settings leave it out."""
    with modify_settings(INSTALLED_APPS={"append": "bench"}):
        yield
