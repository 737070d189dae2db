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
