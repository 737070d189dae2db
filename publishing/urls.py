from .views import ChannelViewSet, ContentItemViewSet

ROUTES = [
    ("channels", ChannelViewSet, "channel"),
    ("content", ContentItemViewSet, "content"),
]
