from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models import Q

        from api.access import READ, Grant, register

        from . import personal_data
        from .models import Device, Notification

        personal_data.declare()

        # A notification and a device are their person's alone (superusers included).
        register(Notification, grants={READ: Grant(q=lambda s: Q(recipient_id=s.user_id), with_path=False,
                                                   strict=True, test=lambda s, n: n.recipient_id == s.user_id)})
        register(Device, grants={READ: Grant(q=lambda s: Q(member_id=s.user_id), with_path=False,
                                             strict=True, test=lambda s, d: d.member_id == s.user_id)})

        from api import hooks

        from .consumers import register_all
        from .services import review_waiting_owed

        register_all()  # what the outbox's task events become (notifications/consumers.py)
        hooks.assignment_completed.connect(review_waiting_owed)  # the reviewers' notice, when owed
