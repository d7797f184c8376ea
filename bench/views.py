"""The floor: a view that does one query and nothing else (no auth, no DRF, no serializer)."""

from django.db import connection
from django.http import JsonResponse


def one_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, slug FROM agencies_agency ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    return JsonResponse({"id": row[0], "slug": row[1]})
