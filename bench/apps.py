from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The load generator and the benchmark (`generate_load`, `bench`); no models."""

    name = "bench"
    verbose_name = "Benchmarks"
