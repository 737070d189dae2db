from rest_framework.pagination import CursorPagination

from api.pagination import PageNumberPagination


class FeedPagination(CursorPagination):
    """Keyset pagination on the id: page 500 costs what page 1 costs, and rows arriving
    while a client pages through never shift or repeat a page. `next`/`previous` are
    opaque links; `page_size` is 1..200 (400 otherwise), as on every list."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = PageNumberPagination.max_page_size

    get_page_size = PageNumberPagination.get_page_size

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return params
