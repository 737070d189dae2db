"""Change history of teams, memberships, tasks and campaigns (django-simple-history).

The historical models are registered here, with app="reports", so their tables
and migrations live in this app and the tracked models stay untouched. Each
save() or delete() of a tracked row writes one historical row with the actor
(taken from the request by simple_history's HistoryRequestMiddleware); writes
that skip save() (QuerySet.update, bulk_update) are recorded with
reports.history.record_bulk_change.

Derived columns (folded search copies, auto timestamps) are left out: they
would only repeat what the real fields already say.
"""
from simple_history import register

from tasks.models import Campaign, Task
from teams.models import Membership, Team

DERIVED = ["search_name", "created_at", "updated_at"]

register(Team, app="reports", excluded_fields=DERIVED)
register(Membership, app="reports", excluded_fields=["created_at", "updated_at"])
register(Task, app="reports", excluded_fields=DERIVED)
register(Campaign, app="reports", excluded_fields=DERIVED)

TRACKED_MODELS = (Team, Membership, Task, Campaign)
