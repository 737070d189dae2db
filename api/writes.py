"""The one write path of a resource's viewset: a body serializer, a service, a re-read.

A viewset names its body serializers and its services; this base does the rest:

    class CampaignViewSet(ServiceWriteMixin, ...):
        create_serializer_class = CampaignCreateSerializer
        update_serializer_class = CampaignUpdateSerializer
        services = services                  # the app's services module
        create_service = "campaign_create"   # services.campaign_create(actor=, **body)
        update_service = "campaign_update"   # services.campaign_update(campaign=, actor=, **body)
        service_object = "campaign"

Services are named, and looked up in the module when a request runs.

- create: the body is validated, the service creates, the row is re-read through
  the viewset's scoped queryset (`get_queryset()`) and answered with 201;
- partial_update: the object is looked up through the scoped queryset (404 out of
  scope, 403 from the permission classes before the body is read), then as create;
- destroy: the service removes it, 204.
Services raise Django's ValidationError / PermissionDenied or api.exceptions.Conflict
(the exception handler maps them); no view needs try/except.
"""
from rest_framework import status
from rest_framework.response import Response


class ServiceWriteMixin:
    create_serializer_class = None
    update_serializer_class = None
    services = None  # the module the service names below are looked up in
    create_service = ""
    update_service = ""
    destroy_service = ""
    # The keyword the update and destroy services take the object by ("task", "team", ...).
    service_object: str = ""
    # False: the update body is validated whole (every field it declares required is).
    update_partial = True

    def _respond(self, obj, code=status.HTTP_200_OK):
        """The object as its list shows it: re-read through the scoped queryset."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _service(self, name: str):
        return getattr(self.services, name)

    def _body(self, serializer_class, instance=None, **kwargs):
        serializer = serializer_class(instance, data=self.request.data, context=self.get_serializer_context(),
                                      **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._body(self.create_serializer_class)
        obj = self._service(self.create_service)(actor=request.user, **data)
        return self._respond(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._body(self.update_serializer_class, obj, partial=self.update_partial)
        self._service(self.update_service)(**{self.service_object: obj}, actor=request.user, **data)
        return self._respond(obj)

    def destroy(self, request, *args, **kwargs):
        self._service(self.destroy_service)(**{self.service_object: self.get_object()}, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
