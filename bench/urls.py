"""The API as served, plus the naive baseline under /bench/naive/ (only in the bench process)."""
from django.urls import include, path

from api.urls import urlpatterns as api_urlpatterns

from .baselines import naive

urlpatterns = [
    *api_urlpatterns,
    path("bench/naive/", include(naive.router.urls)),
]
