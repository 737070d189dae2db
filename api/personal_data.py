"""What api/ holds about a person: replayable responses (declared to api.hooks.personal_data)."""
import json

from .hooks import personal_data
from .models import IdempotencyKey

CHUNK_ROWS = 500


def _texts(value: str) -> list[bytes]:
    """The ways a string is written in a stored JSON response body."""
    return sorted({value.encode(), json.dumps(value)[1:-1].encode(),
                   json.dumps(value, ensure_ascii=False)[1:-1].encode()})


def scrub(*, member, old_phone: str, old_name: str) -> None:
    """Replayable responses: the person's own, and any other that shows their name or phone."""
    IdempotencyKey.objects.filter(member_id=member.pk).delete()
    needles = _texts(old_phone) + _texts(old_name)
    naming = []
    for key_id, body in (IdempotencyKey.objects.exclude(response_body=None)
                         .values_list("id", "response_body").iterator(chunk_size=CHUNK_ROWS)):
        body = bytes(body)
        if any(needle in body for needle in needles):
            naming.append(key_id)
    IdempotencyKey.objects.filter(pk__in=naming).delete()


def declare() -> None:
    personal_data.declare(
        "api",
        references={
            ("api.IdempotencyKey", "member"): "not exported: a 24-hour replay cache; deleted on anonymisation, with "
                                              "every other cached response naming the person",
            ("api.Job", "started_by"): "not exported: who started a background job (its progress); kept",
        },
        scrub=scrub,
    )
