from django.contrib import admin

from .models import Device, Notification, PushDelivery


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "task", "read_at", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "assignment", "task"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "platform", "language", "last_seen"]
    raw_id_fields = ["member"]


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "platform", "outcome", "sender", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["notification", "device"]
