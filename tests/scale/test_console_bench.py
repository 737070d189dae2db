"""bench/console.py keeps working: on a small commune every figure is measured and the
page pairs answer the same rows (the figures themselves are published by `make bench`)."""
import pytest

from bench import console
from tasks.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_console_figures_are_measured_and_rolled_back(monkeypatch, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    monkeypatch.setattr(console, "VILLAGES", 2)
    monkeypatch.setattr(console, "PER_VILLAGE", 10)
    monkeypatch.setattr(console, "TASKS", 3)
    monkeypatch.setattr(console, "COMPLETED_PER_TASK", 5)
    monkeypatch.setattr(console, "PAST_DUE", 1)
    monkeypatch.setattr(console, "SURVEY_RESPONSES", 6)
    out, details = {}, {}
    console.measure(out, details, repeats=1)
    assert set(out["pages"]) == {"review_queue", "my_tasks", "overdue", "team", "tasks", "members", "campaigns",
                                 "surveys", "survey", "survey_results"}
    assert out["review_queue_1000_ms"] == out["pages"]["review_queue"]["console_ms"] > 0
    assert details["console"]["completed_in_queue"] == 15
    assert out["max_extra_queries"] <= 3
    assert not Assignment.objects.exists()  # the commune was rolled back
