from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, except that an unknown field is a 400 naming the allowed
    ones instead of being silently dropped (a client would trust a wrong order)."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            asked = [term.strip() for term in raw.split(",") if term.strip()]
            unknown = [term for term in asked if term.lstrip("-") not in allowed]
            if unknown:
                raise ValidationError({self.ordering_param: [
                    _("Unknown ordering field: %(fields)s. Choose from: %(choices)s.")
                    % {"fields": ", ".join(unknown), "choices": ", ".join(sorted(allowed))}
                ]})
        return super().get_ordering(request, queryset, view)
