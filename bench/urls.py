"""Concord's URLs plus `/bench/one-query/`, served only by the benchmark's servers."""

from django.urls import path

from config import urls as concord

from .views import one_query

urlpatterns = [path("bench/one-query/", one_query), *concord.urlpatterns]
handler400, handler403 = concord.handler400, concord.handler403
handler404, handler500 = concord.handler404, concord.handler500
