from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page envelope.

    ``page`` counts from 1; a page that does not exist is DRF's 404 "Invalid page.".
    ``page_size`` above 100 is capped to 100, as DRF does; one that is not a whole
    number of at least 1 (``0``, ``-5``, ``abc``) is a 400 naming it: a typo should
    not silently give the default 25 rows.
    """

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({"page_size": ["Must be a whole number of at least 1."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1, "default": 1}
        size["schema"] = {"type": "integer", "minimum": 1, "default": self.page_size}
        size["description"] = (
            f"Rows per page, {self.page_size} by default; a value above "
            f"{self.max_page_size} is capped to {self.max_page_size}."
        )
        return [page, size]
