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
# Two teams were merged (issue 10): each app moves its rows from `source` to `target`.
teams_merged = Hook("teams_merged", ("source", "target", "actor"))
# A person was anonymised (teams.services.member_anonymise), inside its transaction:
# each app removes what it holds about them beyond their id.
person_anonymised = Hook("person_anonymised", ("member", "old_phone", "old_name"))
# A request body is over API_MAX_REQUEST_BYTES (api.middleware, before it is read): a handler
# may answer it in its own form (the console's 413 page for a phone's photo) by returning a
# response; None leaves it to the next, and the API's JSON 413 when none answers.
body_too_large = Hook("body_too_large", ("request", "limit"))


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
