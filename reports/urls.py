"""Plain paths (not router routes): they hang off teams, tasks and campaigns owned by other apps."""
from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:pk>/stats/", views.TeamStatsView.as_view(), name="team-stats"),
    path("teams/<int:pk>/stats/children/", views.TeamChildrenStatsView.as_view(), name="team-stats-children"),
    path("teams/<int:pk>/stats/daily/", views.TeamDailyStatsView.as_view(), name="team-stats-daily"),
    path("teams/<int:pk>/stats/channels/", views.TeamChannelStatsView.as_view(), name="team-stats-channels"),
    path("teams/<int:pk>/stats/members/", views.TeamMemberStatsView.as_view(), name="team-stats-members"),
    path("teams/<int:pk>/stats/participation/", views.TeamParticipationView.as_view(),
         name="team-stats-participation"),
    path("teams/<int:pk>/stats/teams/", views.TeamBoardView.as_view(), name="team-stats-teams"),
    path("teams/<int:pk>/report/", views.TeamReportView.as_view(), name="team-report"),
    path("report-subscriptions/", views.ReportSubscriptionList.as_view(), name="report-subscription-list"),
    path("report-subscriptions/<int:pk>/", views.ReportSubscriptionDetail.as_view(),
         name="report-subscription-detail"),
    path("report-deliveries/<int:pk>/download/", views.ReportDeliveryDownload.as_view(),
         name="report-delivery-download"),
    path("campaigns/<int:pk>/stats/", views.CampaignStatsView.as_view(), name="campaign-stats"),
    path("teams/<int:pk>/history/", views.TeamHistoryView.as_view(), name="team-history"),
    path("tasks/<int:pk>/history/", views.TaskHistoryView.as_view(), name="task-history"),
]
