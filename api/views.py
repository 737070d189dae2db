"""Views that belong to the API as a whole rather than to one app."""
from rest_framework_simplejwt.views import TokenObtainPairView

from .throttling import LoginAddressThrottle, LoginPhoneThrottle


class TokenObtainView(TokenObtainPairView):
    """Log in with phone and password; throttled per phone and per client address.

    Every attempt counts, right or wrong, so guessing one member's password and
    trying one password on many members are both slowed down to the configured
    rates (429 with Retry-After).
    """

    throttle_classes = [LoginAddressThrottle, LoginPhoneThrottle]
