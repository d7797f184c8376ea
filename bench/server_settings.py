"""The settings the benchmark's servers run with: Concord's own, plus the floor view's URL."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
