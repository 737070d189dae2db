"""Phone numbers live in api.phones (the login throttle needs them below teams/); these
names stay importable from here for the callers that know them as teams.phones."""
from api.phones import (  # noqa: F401
    ANONYMISED_PHONE_PREFIX,
    anonymised_phone,
    is_anonymised_phone,
    normalize_phone,
    try_normalize_phone,
)
