"""The API as served, plus the naive baseline under /bench/naive/ and /bench/ping (bench processes only)."""
from django.http import JsonResponse
from django.urls import include, path

from config.urls import urlpatterns as api_urlpatterns

from .baselines import naive


def ping(request):
    """No database, no authentication: the ceiling of what the server can answer (bench/load.py)."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    *api_urlpatterns,
    path("bench/naive/", include(naive.router.urls)),
    path("bench/ping", ping),
]
