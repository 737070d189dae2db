from .views import SurveyViewSet

ROUTES = [
    ("surveys", SurveyViewSet, "survey"),
]
