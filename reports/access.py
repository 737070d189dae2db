"""The capabilities reports add to the rows of lower apps (api.access grants).

- REPORT: the team, campaign or task a report or history is about lies in the
  caller's read subtrees (own teams and own work do not count: members read no
  reports);
- REPORT_FILTER: a task or campaign id given as a report's filter lies in the
  caller's read subtrees or above them (a task owned by the province is still
  work the district coordinator reports on).
"""
from django.db.models import Q

from api.access import READ, Grant, Scope, grant
from tasks.models import Campaign, Task
from teams.models import Team

REPORT = "report"
REPORT_FILTER = "report_filter"


def _ancestor_paths(path: str) -> list[str]:
    """"/1/4/17/" -> ["/1/", "/1/4/"] (the teams above, read from the path)."""
    # A team path holds digits and slashes only: strip("XX/XX") would trim exactly what strip("/") does.
    inner = path.strip("/")  # pragma: no mutate
    # One part at a time from "/" (no team's path, so not listed), the team's own part left out.
    above, prefix = [], "/"
    for part in inner.split("/")[:-1]:
        prefix += part + "/"
        above.append(prefix)
    return above


def related_to_scope_q(scope: Scope, path_field: str = "team__path") -> Q:
    """Rows whose team lies in the caller's read scope or above it."""
    if scope.is_superuser:
        return Q()
    q = Q(pk__in=[])
    for path in scope.paths_for(READ):
        q |= Q(**{f"{path_field}__startswith": path}) | Q(**{f"{path_field}__in": _ancestor_paths(path)})
    return q


def read_subtrees_q(scope: Scope) -> Q:
    return scope.q(READ)


def read_subtrees_test(scope: Scope, team: Team) -> bool:
    return scope.has_capability_at(READ, team.path)


def work_in_read_subtrees_q(scope: Scope) -> Q:
    return scope.q(READ, "team__path")


# Wiring, run once at start-up from AppConfig.ready(): mutmut forks its mutants after it,
# so it cannot see a mutant here; tests/api/test_access_rules.py checks what it grants.
def register_all() -> None:  # pragma: no mutate block
    grant(Team, REPORT, Grant(q=read_subtrees_q, with_path=False, test=read_subtrees_test))
    for model in (Task, Campaign):
        grant(model, REPORT, Grant(q=work_in_read_subtrees_q, with_path=False))
        grant(model, REPORT_FILTER, Grant(q=related_to_scope_q, with_path=False))
