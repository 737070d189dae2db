from rest_framework import serializers

ID_LIMIT = 2**63  # ids are 64-bit signed integers on both databases


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


class ScopedIdListField(serializers.ListField):
    """A list of related ids resolved through a selector in one query, whatever its length.

    Errors are a plain ListField's of ScopedPrimaryKeyRelatedField children: each bad
    item is reported under its index (an id outside the caller's scope fails exactly
    like one that does not exist).
    """

    def __init__(self, selector, model, **kwargs):
        kwargs["child"] = ScopedPrimaryKeyRelatedField(selector, model)
        super().__init__(**kwargs)

    def run_child_validation(self, data):
        child = self.child
        pk = child.queryset.model._meta.pk
        keys: dict[int, object] = {}
        errors: dict[int, object] = {}
        for index, item in enumerate(data):
            try:
                if item is None or item == "" or isinstance(item, bool):
                    raise TypeError
                keys[index] = pk.get_prep_value(item)
            except (TypeError, ValueError):
                try:
                    child.run_validation(item)  # the child's own message (null, incorrect type)
                except serializers.ValidationError as exc:
                    errors[index] = exc.detail
        # An id no 64-bit key can hold exists nowhere (and `IN` would not say so: it raises).
        wanted = {key for key in keys.values() if not isinstance(key, int) or -ID_LIMIT <= key < ID_LIMIT}
        found = {obj.pk: obj for obj in child.get_queryset().filter(pk__in=wanted)} if wanted else {}
        result = []
        for index, item in enumerate(data):
            if index in errors:
                continue
            obj = found.get(keys[index])
            if obj is None:
                try:
                    child.fail("does_not_exist", pk_value=item)
                except serializers.ValidationError as exc:
                    errors[index] = exc.detail
            else:
                result.append(obj)
        if errors:
            raise serializers.ValidationError(errors)
        return result
