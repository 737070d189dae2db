"""Django's PostgreSQL backend with two additions (base.py): a health check without a roundtrip
while a kept connection is quiet, and server-prepared statements for the hot compiled queries."""


def prepared_cursor(connection):
    """A cursor on `connection` whose statement the server keeps prepared (api/postgresql/base.py),
    or its ordinary cursor on another database or with DB_PREPARED_STATEMENTS=0.

    Only for SQL whose generic plan suits every value of its parameters: a statement prepared
    here is planned once for all callers (a person's own few rows through their index, never
    a list whose best plan depends on how much the caller has)."""
    opener = getattr(connection, "prepared_cursor", None)
    return opener() if opener is not None else connection.cursor()
