"""The personal data of one person: the export document and what anonymisation scrubs.

Each app declares what it holds about a person to api.hooks.personal_data from
its AppConfig.ready() (tasks/personal_data.py, notifications/personal_data.py,
...): the columns that point at them and what happens to each, the sections of
the export, and a scrub run on anonymisation. This module reads the registry and
the tables of teams/ (and of the auth machinery teams/ owns: sessions, the
admin's log); it reads no other app's tables. tests/privacy/test_registry.py
fails when a model gains a key to Member that no app declared.
"""
from __future__ import annotations

import json
from functools import lru_cache

from django.apps import apps
from django.utils import timezone
from rest_framework import serializers
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.hooks import ExportSection, personal_data

from .models import JoinRequest, Member, Membership
from .serializers import (
    PersonalDataMembershipSerializer,
    PersonalDataProfileSerializer,
    PersonalDataSessionSerializer,
)

CHUNK_ROWS = 500
FLUSH_BYTES = 64 * 1024


def references() -> dict[tuple[str, str], str]:
    """(model label, field) -> what the export and anonymisation do with it, every app's."""
    return dict(personal_data.references)


# Export ------------------------------------------------------------------------

def export_sections(member) -> list[tuple[str, object, type]]:
    """(name, rows, row serializer) for every list in the export, in document order.

    Rows are `.values()` of the needed columns only, read in chunks while the
    document streams out.
    """
    return [(s.name, s.rows(member), s.serializer) for s in personal_data.export_sections()]


@lru_cache(maxsize=None)
def export_serializer() -> type[serializers.Serializer]:
    """The documented shape of the export, built from the declared sections (schema only)."""
    fields = {"generated_at": serializers.DateTimeField(), "profile": PersonalDataProfileSerializer()}
    for section in personal_data.export_sections():
        kwargs = {"help_text": section.help_text} if section.help_text else {}
        fields[section.name] = section.serializer(many=True, **kwargs)
    return type("PersonalDataSerializer", (serializers.Serializer,), {
        "__doc__": "Everything held about the caller: one document, every list complete (not paginated).",
        "__module__": __name__,
        **fields,
    })


def export_stream(member, context: dict):
    """The export document as chunks of UTF-8 JSON: the profile, then each section
    as an array, never more than one chunk of rows in memory."""

    def render(data) -> bytes:
        # Values are JSON-ready once a serializer has represented them (times are strings).
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    profile = Member.objects.filter(pk=member.pk).values(
        "id", "phone", "full_name", "is_active", "is_staff", "is_superuser", "date_joined", "last_login",
        "updated_at").get()
    head = {
        "generated_at": timezone.localtime().isoformat(),
        "profile": PersonalDataProfileSerializer(profile, context=context).data,
    }
    buffer = bytearray(render(head)[:-1])  # the object stays open for the sections
    for name, rows, serializer_class in export_sections(member):
        # One serializer per section, applied to each row: building one per row costs
        # more than the row itself.
        serializer = serializer_class(context=context)
        buffer += b',"' + name.encode() + b'":['
        first = True
        for row in rows.iterator(chunk_size=CHUNK_ROWS):
            if not first:
                buffer += b","
            first = False
            buffer += render(serializer.to_representation(row))
            if len(buffer) >= FLUSH_BYTES:
                yield bytes(buffer)
                buffer.clear()
        buffer += b"]"
    buffer += b"}"
    yield bytes(buffer)


# Anonymisation -------------------------------------------------------------------

def scrub(*, member, old_phone: str, old_name: str) -> None:
    """What teams/ scrubs: sessions, and the admin's log entries about the person."""
    # Sessions: every refresh token stops working (the account is inactive anyway).
    for token_id in OutstandingToken.objects.filter(user_id=member.pk).values_list("id", flat=True):
        BlacklistedToken.objects.get_or_create(token_id=token_id)
    # A join request keeps its own copy of the phone and name: they go too.
    JoinRequest.objects.filter(member_id=member.pk).update(phone=member.phone, full_name=member.full_name,
                                                           password="")
    # The admin's log names its objects by str(): entries about this person get the new one.
    if apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry  # only when the admin is installed
        from django.contrib.contenttypes.models import ContentType

        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(member)), object_id=str(member.pk)
        ).update(object_repr=str(member)[:200])


def declare() -> None:
    personal_data.declare(
        "teams",
        references={
            ("teams.Membership", "member"): "exported (memberships); kept on anonymisation: roles place the work",
            ("token_blacklist.OutstandingToken", "user"): "exported (sessions); blacklisted on anonymisation",
            ("teams.Invite", "created_by"): "not exported: an invite is its team's; kept on anonymisation",
            ("teams.JoinRequest", "member"): "not exported; on anonymisation the request's copy of the phone and "
                                             "name is replaced with the anonymised ones",
            ("teams.JoinRequest", "decided_by"): "not exported: the decision is its team's record; kept",
            ("admin.LogEntry", "user"): "not exported: the admin's log of staff actions, naming other people; "
                                        "entries about the person get the new name on anonymisation",
        },
        sections=(
            ExportSection("memberships", 10, lambda m: Membership.objects.filter(member_id=m.pk).order_by("id")
                          .values("id", "team_id", "team__name", "team__level", "role", "created_at", "updated_at"),
                          PersonalDataMembershipSerializer),
            ExportSection("sessions", 100, lambda m: OutstandingToken.objects.filter(user_id=m.pk).order_by("id")
                          .values("jti", "created_at", "expires_at", "blacklistedtoken__blacklisted_at"),
                          PersonalDataSessionSerializer),
        ),
        scrub=scrub,
    )
