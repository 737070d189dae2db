from .views import ChannelViewSet, ContentItemViewSet, ScheduleViewSet

ROUTES = [
    ("channels", ChannelViewSet, "channel"),
    ("content", ContentItemViewSet, "content"),
    ("schedules", ScheduleViewSet, "schedule"),
]
