"""Phone numbers are the login: one person, one E.164 string."""
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(raw: str) -> str:
    """Return `raw` in E.164 (`0912345678` -> `+84912345678`) or raise ValidationError."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    try:
        number = phonenumbers.parse(raw.strip(), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str:
    """Best effort for look-ups: the E.164 form, or the input unchanged when it is not a number."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw


# A member who left and was anonymised keeps their row (their work counts in the
# statistics) under a placeholder login: "+840" and their id. No national number
# in Vietnam starts with 0, so normalize_phone() refuses every such string: nobody
# can register it, and it can never be a real person's number.
ANONYMISED_PHONE_PREFIX = "+840"


def anonymised_phone(member_id: int) -> str:
    """The placeholder phone of an anonymised member: unique (by id), 16 characters at most."""
    placeholder = f"{ANONYMISED_PHONE_PREFIX}{member_id:011d}"
    if len(placeholder) > 16:
        raise ValueError("member id too large for a placeholder phone")
    return placeholder


def is_anonymised_phone(phone: str) -> bool:
    return phone.startswith(ANONYMISED_PHONE_PREFIX)
