from api.pagination import KeysetPagination


class FeedPagination(KeysetPagination):
    """Keyset pagination on the id, newest first: page 500 costs what page 1 costs, and
    rows arriving while a client pages through never shift or repeat a page. The same
    paginator as assignments', so a bad cursor gets the same 400 in the same language."""

    ordering = "-id"
    page_size = 50
