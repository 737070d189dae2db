from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id resolved through a selector: ids outside the caller's scope
    fail exactly like ids that do not exist (400 naming the field).

    `selector(user)` returns the queryset of allowed objects, e.g. teams_managed_by.
    `model` only tells the schema generator what kind of id this is.
    """

    def __init__(self, selector, model, **kwargs):
        self.selector = selector
        kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(request.user if request else None)
