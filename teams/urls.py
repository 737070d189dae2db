from django.urls import path
from api.views import TokenObtainView, TokenRefreshView

from .account_views import MePasswordView
from .joining_views import InviteViewSet, JoinRequestViewSet, RegisterView, TeamInvitesView
from .views import LogoutView, MeExportView, MemberViewSet, MembershipViewSet, MeView, TeamViewSet

ROUTES = [
    ("teams", TeamViewSet, "team"),
    ("members", MemberViewSet, "member"),
    ("memberships", MembershipViewSet, "membership"),
    ("invites", InviteViewSet, "invite"),
    ("join-requests", JoinRequestViewSet, "join-request"),
]

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/register/", RegisterView.as_view(), name="register"),
    path("teams/<int:pk>/invites/", TeamInvitesView.as_view(), name="team-invites"),
    path("me/", MeView.as_view(), name="me"),
    path("me/export/", MeExportView.as_view(), name="me-export"),
    path("me/password/", MePasswordView.as_view(), name="me-password"),
]
