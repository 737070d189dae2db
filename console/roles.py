"""What the console asks of the caller's scope: which menu entries to show and
which pages a role may open. The scope itself is the API's (one place to change
when the scope kernel moves)."""
from api.access import forget_scope, scope_for

__all__ = ["forget_scope", "scope_for", "can", "read_roots"]


def can(user, capability: str) -> bool:
    """The caller holds `capability` somewhere (a superuser everywhere)."""
    return scope_for(user).has_capability(capability)


def read_roots(user) -> tuple[str, ...]:
    """The outermost team paths the caller reads (coordinates or observes); empty for a superuser,
    who starts from the top of the tree."""
    return scope_for(user).paths_for("read")
