"""/console/: every page of the web console (tests/console/matrix.py has a row for each)."""
from django.urls import path, re_path
from django.views.i18n import set_language

from . import account_pages, auth, joining_pages, publishing_pages, report_pages, survey_pages, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.login_page, name="login"),
    path("logout/", auth.logout_page, name="logout"),
    path("language/", set_language, name="language"),
    # The member's side
    path("mine/", views.my_tasks, name="my-tasks"),
    path("mine/<int:pk>/", views.my_task, name="my-task"),
    path("mine/<int:pk>/complete/", views.my_task_complete, name="my-task-complete"),
    path("mine/<int:pk>/decline/", views.my_task_decline, name="my-task-decline"),
    path("assignments/<int:pk>/evidence/", views.evidence, name="evidence"),
    # Coordinators and observers
    path("progress/", views.progress, name="progress"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/<str:report>.csv", views.team_csv, name="team-csv"),
    path("overdue/", views.overdue, name="overdue"),
    path("review/", views.review, name="review"),
    path("review/verify/", views.review_bulk_verify, name="review-bulk-verify"),
    path("review/<int:pk>/verify/", views.review_verify, name="review-verify"),
    path("review/<int:pk>/reject/", views.review_reject, name="review-reject"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task-assign"),
    path("assignments/<int:pk>/record/", views.assignment_record, name="assignment-record"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/stats.csv", views.campaign_csv, name="campaign-csv"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_new, name="member-new"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member-deactivate"),
    path("members/<int:pk>/activate/", views.member_activate, name="member-activate"),
    path("members/<int:pk>/password/", account_pages.member_password, name="member-password"),
    path("members/<int:pk>/unlock/", account_pages.member_unlock, name="member-unlock"),
    path("me/password/", account_pages.my_password, name="my-password"),
    # Surveys: members answer, coordinators and observers read the results
    path("surveys/", survey_pages.surveys, name="surveys"),
    path("surveys/<int:pk>/", survey_pages.survey, name="survey"),
    path("surveys/<int:pk>/answer/", survey_pages.survey_answer, name="survey-answer"),
    path("surveys/<int:pk>/results/", survey_pages.survey_results_page, name="survey-results"),
    path("surveys/<int:pk>/results.<str:fmt>", survey_pages.survey_results_file, name="survey-results-file"),
    # Channels and their post log; the content library and its review step
    path("channels/", publishing_pages.channels, name="channels"),
    path("channels/new/", publishing_pages.channel_new, name="channel-new"),
    path("channels/<int:pk>/", publishing_pages.channel, name="channel"),
    path("channels/<int:pk>/edit/", publishing_pages.channel_edit, name="channel-edit"),
    path("channels/<int:pk>/posts/", publishing_pages.channel_post_new, name="channel-post-new"),
    path("content/", publishing_pages.content_list, name="content-list"),
    path("content/new/", publishing_pages.content_new, name="content-new"),
    path("content/<int:pk>/", publishing_pages.content_item, name="content-item"),
    path("content/<int:pk>/edit/", publishing_pages.content_edit, name="content-edit"),
    path("content/<int:pk>/submit/", publishing_pages.content_submit, name="content-submit"),
    path("content/<int:pk>/approve/", publishing_pages.content_approve, name="content-approve"),
    path("content/<int:pk>/reject/", publishing_pages.content_reject, name="content-reject"),
    path("content/<int:pk>/archive/", publishing_pages.content_archive, name="content-archive"),
    # Period reports (XLSX, PDF)
    path("reports/", report_pages.reports, name="reports"),
    path("teams/<int:pk>/report/", report_pages.team_report, name="team-report"),
    # Joining: invites and join requests (coordinators), and the page an invite's link opens (anyone)
    path("invites/", joining_pages.invites, name="invites"),
    path("invites/<int:pk>/revoke/", joining_pages.invite_revoke, name="invite-revoke"),
    path("join-requests/", joining_pages.join_requests, name="join-requests"),
    path("join-requests/<int:pk>/approve/", joining_pages.join_request_approve, name="join-request-approve"),
    path("join-requests/<int:pk>/decline/", joining_pages.join_request_decline, name="join-request-decline"),
    path("join/<str:code>/", joining_pages.join, name="join"),
    # Anything else under /console/ is the console's 404 page, not the API's JSON one.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
