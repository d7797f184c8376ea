"""The benchmark's settings: Concord's (the profile the environment picks, `config.settings`),
plus the bench app (`generate_load`, `bench`) and the one-query view its servers answer.

`make bench` and `make bench-smoke` run with them, and so do the servers the benchmark starts;
the product's settings know nothing of the benchmark.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
