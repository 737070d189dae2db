from .views import ChannelViewSet

ROUTES = [
    ("channels", ChannelViewSet, "channel"),
]
