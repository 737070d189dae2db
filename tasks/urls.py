from .views import AssignmentViewSet, CampaignViewSet, TaskViewSet

ROUTES = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("tasks", TaskViewSet, "task"),
    ("assignments", AssignmentViewSet, "assignment"),
]
