"""The fixtures the report tests share with the suites whose cases they count."""

from tests.justice.conftest import case, submit  # noqa: F401 - fixtures
from tests.workflows.conftest import work  # noqa: F401 - fixtures
