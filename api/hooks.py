"""Where a lower app lets higher ones react, without importing them.

Apps depend one way: api <- teams <- tasks <- (reports, notifications) <- the
top-level apps (scale, and those added later). When something happens in a
lower app that a higher one must act on, the lower app sends a named hook and
the higher app connects a handler in its `AppConfig.ready()`:

    # tasks/apps.py
    def ready(self):
        from api import hooks
        from .services import assign_late_joiner

        hooks.member_joined.connect(assign_late_joiner)

    # teams/services.py
    hooks.member_joined.send(membership=membership, actor=actor)

Handlers run in the order they were connected (INSTALLED_APPS order), inside
the sender's transaction, and an exception in one propagates to the sender (no
handler is skipped silently). Every hook lists the keyword arguments it sends.

The personal-data registry (`personal_data`) is where each app declares what
it holds about a person: the columns that point at them and what happens to
each, the sections of the export it streams, and what anonymisation scrubs.
teams.personal_data reads the registry; it reads no other app's tables.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class Hook:
    """A named, explicit list of handlers: `connect(handler)`, `send(**kwargs)`."""

    def __init__(self, name: str, arguments: tuple[str, ...]):
        self.name = name
        self.arguments = arguments
        self._handlers: list[Callable] = []

    def connect(self, handler: Callable) -> Callable:
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def disconnect(self, handler: Callable) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    @property
    def handlers(self) -> tuple[Callable, ...]:
        return tuple(self._handlers)

    def send(self, **kwargs) -> list:
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"hook {self.name} sends {self.arguments}, got {tuple(sorted(kwargs))}")
        return [handler(**kwargs) for handler in self._handlers]

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._handlers)} handler(s)>"


# A person starts holding a role in a team (teams.services.membership_create).
member_joined = Hook("member_joined", ("membership", "actor"))
# A team and its subtree were re-rooted by one UPDATE that skipped save():
# `subtree` is the queryset of the moved descendants (the team itself excluded).
subtree_moved = Hook("subtree_moved", ("team", "subtree", "actor"))
# Two teams were merged (issue 10): each app moves its rows from `source` to `target`, in
# set-based statements (a commune holds 100,000 assignments), inside the merge's transaction.
# teams.services.team_merge has already locked the open tasks that could reach `source`.
teams_merged = Hook("teams_merged", ("source", "target", "actor"))
# Sent first by a merge, before anything moves: each app locks what must not interleave with
# it (tasks locks the open tasks that can reach `source`'s people, as task_assign does).
teams_merging = Hook("teams_merging", ("source", "target", "actor"))
# A team is about to be archived (PATCH is_active=false): each handler returns a list of
# reasons it must stay active (open tasks...), empty when it has none.
team_archiving = Hook("team_archiving", ("team",))
# Rows were changed by QuerySet.update(), which skips save() and so the history signal: a
# history keeper records `queryset` (the rows as they are now). reports.history connects it.
bulk_changed = Hook("bulk_changed", ("queryset", "actor", "reason"))
# Rows of `queryset` are about to be deleted by one SQL statement that sends no signals (a
# merge's double memberships): a history keeper records them as removed.
bulk_deleting = Hook("bulk_deleting", ("queryset", "actor", "reason"))
# A person was anonymised (teams.services.member_anonymise), inside its transaction:
# each app removes what it holds about them beyond their id.
person_anonymised = Hook("person_anonymised", ("member", "old_phone", "old_name"))
# A request body is over API_MAX_REQUEST_BYTES (api.middleware, before it is read): a handler
# may answer it in its own form (the console's 413 page for a phone's photo) by returning a
# response; None leaves it to the next, and the API's JSON 413 when none answers.
body_too_large = Hook("body_too_large", ("request", "limit"))
# A period report of `team`'s subtree is being made (reports.period_report) for the local days
# start..end: each handler returns {section name: rows} to add to it (surveys). Apps below
# reports (publishing's channels) need no hook: reports reads them itself.
report_sections = Hook("report_sections", ("team", "start", "end"))


# Personal data -------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSection:
    """One list of the personal-data export: `rows(member)` is a `.values()`
    queryset of the needed columns, `serializer` the plain serializer of a row,
    `position` its place in the document (sections are sorted by it)."""

    name: str
    position: int
    rows: Callable
    serializer: type
    help_text: str = ""


@dataclass
class PersonalDataRegistry:
    # (model label, field) -> what the export and anonymisation do with it
    references: dict[tuple[str, str], str] = field(default_factory=dict)
    sections: dict[str, ExportSection] = field(default_factory=dict)

    def declare(self, app: str, *, references: dict[tuple[str, str], str] | None = None,
                sections: tuple[ExportSection, ...] = (), scrub: Callable | None = None) -> None:
        """What `app` holds about a person. `scrub(member, old_phone, old_name)`
        runs on anonymisation (connected to person_anonymised)."""
        for key, text in (references or {}).items():
            if key in self.references:
                raise ValueError(f"{key} is declared twice")
            self.references[key] = text
        for section in sections:
            if section.name in self.sections:
                raise ValueError(f"export section {section.name} is declared twice")
            self.sections[section.name] = section
        if scrub is not None:
            person_anonymised.connect(scrub)

    def export_sections(self) -> list[ExportSection]:
        return sorted(self.sections.values(), key=lambda s: s.position)


personal_data = PersonalDataRegistry()


# Work completed ------------------------------------------------------------------

# An assignment was completed (tasks.services.assignment_complete), inside its transaction,
# after the status moved: `assignment` carries the new evidence_url and completed_at.
# A retry never sends it twice (the second complete is a 409); a completion after a
# rejection sends it again, so a handler writes its effect once per assignment.
assignment_completed = Hook("assignment_completed", ("assignment", "actor"))


# Fields higher apps add to tasks -------------------------------------------------

@dataclass(frozen=True)
class TaskRelation:
    """A field of a task that a higher app owns (publishing: `channel`, `content`).

    tasks never imports the app; it asks the registry, so a task body takes the
    field, the task's write stores it, and every read of a task (the task list and
    the task inline on each assignment) shows it from the same query:

    - `body_field()`: a fresh DRF field for the create and update bodies (scoped:
      an id outside the caller's reach is a 400 naming the field);
    - `apply(task=, value=, actor=)`: stores the value, inside the task's write
      transaction, after the task row is saved; raises ValidationError naming the field;
    - `read_fields()`: name -> fresh read-only DRF field, added to the task's
      representation (inline on assignments too); sources follow `select_related`;
    - `select_related`: relations from Task that those fields read, loaded by JOINs in
      the task's own query (no query per row);
    - `row_annotations(prefix)`: {alias: expression} that a hot list's `values()` reads
      (`prefix` leads from the listed model to the task). A correlated subquery rather
      than joined columns: PostgreSQL plans it apart, where every extra JOIN of the page's
      query multiplies the orders its planner weighs (with the publication and content
      joined, planning a page took 6.4 ms of a 0.4 ms query);
    - `read_row(row, prefix)`: the same fields as `read_fields()` give, written from a
      `values()` row holding those aliases: the hot lists (api/rows.py) shape tasks
      without model instances.
    """

    name: str
    body_field: Callable
    apply: Callable
    read_fields: Callable
    select_related: tuple[str, ...] = ()
    row_annotations: Callable | None = None
    read_row: Callable | None = None


class TaskRelations:
    def __init__(self):
        self._relations: dict[str, TaskRelation] = {}

    def add(self, relation: TaskRelation) -> None:
        self._relations[relation.name] = relation

    def __iter__(self):
        return iter(tuple(self._relations.values()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._relations)

    def body_fields(self) -> dict:
        return {r.name: r.body_field() for r in self}

    def read_fields(self) -> dict:
        fields = {}
        for relation in self:
            fields.update(relation.read_fields())
        return fields

    def select_related(self, prefix: str = "") -> list[str]:
        return list(dict.fromkeys(f"{prefix}{path}" for r in self for path in r.select_related))

    def row_columns(self, prefix: str = "") -> list[str]:
        """The aliases a hot list's `values()` names for these fields (row_annotations')."""
        return list(self.row_annotations(prefix))

    def row_annotations(self, prefix: str = "") -> dict:
        """Every relation's `row_annotations(prefix)`, one expression per alias."""
        annotations = {}
        for relation in self:
            if relation.row_annotations is not None:
                for alias, expression in relation.row_annotations(prefix).items():
                    annotations.setdefault(alias, expression)
        return annotations

    def row_readers(self) -> tuple[Callable, ...]:
        """Each relation's `read_row(row, prefix) -> {name: value}`, in the order of read_fields()."""
        return tuple(r.read_row for r in self)

    def split(self, fields: dict) -> tuple[dict, dict]:
        """(the task's own fields, the related ones) of a service's keyword arguments."""
        related = {name: fields.pop(name) for name in list(fields) if name in self._relations}
        return fields, related

    def apply(self, *, task, values: dict, actor) -> None:
        for name, value in values.items():
            self._relations[name].apply(task=task, value=value, actor=actor)


task_relations = TaskRelations()
