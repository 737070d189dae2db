from .views import AssignmentViewSet, CampaignViewSet, TaskViewSet, TopicViewSet

ROUTES = [
    ("topics", TopicViewSet, "topic"),
    ("campaigns", CampaignViewSet, "campaign"),
    ("tasks", TaskViewSet, "task"),
    ("assignments", AssignmentViewSet, "assignment"),
]
