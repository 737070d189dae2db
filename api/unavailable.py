"""A dependency that is down or slow is a JSON 503 with Retry-After, never a hang or a 500.

`is_dependency_error(exc)` names what counts: a database that refused, dropped or
timed out (Django's OperationalError and InterfaceError: connect_timeout,
statement_timeout, lock_timeout, a server restart), Redis or the broker not
answering, and the request deadline. The DRF exception handler, the deadline
middleware and the 500 handler all answer them with
`api.exceptions.unavailable_response()`.
"""
from django.db import InterfaceError, OperationalError


class DeadlineExceeded(BaseException):
    """The request ran past REQUEST_TIMEOUT_SECONDS (raised from SIGALRM).

    A BaseException so that no `except Exception` on the way swallows it or turns it
    into a 500; api.middleware.RequestDeadlineMiddleware answers it with a 503.
    """


def _dependency_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError, TimeoutError]
    try:
        import redis

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a requirement
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors.append(BrokerError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


DEPENDENCY_ERRORS = _dependency_errors()


def is_dependency_error(exc: BaseException | None) -> bool:
    return isinstance(exc, (DeadlineExceeded, *DEPENDENCY_ERRORS))


def which(exc: BaseException | None) -> str:
    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
    if isinstance(exc, DeadlineExceeded):
        return "timeout"
    module = type(exc).__module__ if exc is not None else ""
    if module.startswith("redis"):
        return "cache"
    if module.startswith("kombu"):
        return "broker"
    return "dependency"
