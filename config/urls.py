from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.docs import RedocView, SchemaView
from api.views import JobViewSet, healthz, readyz
from tasks import urls as task_urls
from notifications import urls as notification_urls
from publishing import urls as publishing_urls
from surveys import urls as survey_urls
from teams import urls as team_urls

# What a phone asks most (its feed, its polls, its steps, its notifications) is matched
# first: Django tries the patterns in order, and each of these came after some sixty others
# (a tenth of the empty poll's time went to finding its view). No other pattern matches
# their paths, so the order changes no answer (tests/api/test_urls.py).
HOT_PREFIXES = ("assignments", "notifications")

hot_router, router = DefaultRouter(trailing_slash=True), DefaultRouter(trailing_slash=True)
hot_router.include_root_view = router.include_root_view = False
for prefix, viewset, basename in [*team_urls.ROUTES, *task_urls.ROUTES, *notification_urls.ROUTES,
                               *survey_urls.ROUTES, *publishing_urls.ROUTES]:
    (hot_router if prefix in HOT_PREFIXES else router).register(prefix, viewset, basename=basename)
router.register("jobs", JobViewSet, basename="job")

api_v1 = [
    *hot_router.urls,
    *team_urls.urlpatterns,
    path("", include("reports.urls")),
    *router.urls,
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("console/", include("console.urls")),
    # An invite's link (teams.joining.JOIN_PATH): short for its QR code, opened by the apps or, in a
    # browser, the console's registration page.
    path("join/<str:code>", RedirectView.as_view(pattern_name="console:join", permanent=False), name="join"),
]

handler400 = "api.views.bad_request"
handler404 = "api.views.not_found"
handler500 = "api.views.server_error"
