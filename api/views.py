"""JSON answers for URLs no view matched, in the one error shape."""
from django.http import JsonResponse
from django.utils.translation import gettext as _


def not_found(request, exception=None):
    return JsonResponse({"status": 404, "code": "not_found", "detail": _("Not found.")}, status=404)


def server_error(request):
    return JsonResponse(
        {"status": 500, "code": "server_error", "detail": _("Internal server error.")}, status=500
    )
