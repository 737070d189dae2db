from .views import DeviceViewSet, NotificationViewSet

ROUTES = [
    ("notifications", NotificationViewSet, "notification"),
    ("devices", DeviceViewSet, "device"),
]
