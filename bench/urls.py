"""Concord's URLs plus `/bench/one-query/`, served only by the benchmark's servers."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

from .views import one_query

urlpatterns = [path("bench/one-query/", one_query), *urlpatterns]
