from rest_framework.routers import SimpleRouter

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class Router(SimpleRouter):
    """Routes that answer with and without a trailing slash, as the contract asks.

    Ids are UUIDs; a path with anything else in their place is a plain 404.
    Every ``PUT`` here changes only the keys sent, so ``PATCH`` is the same action
    (frontends and generated clients send PATCH for partial updates).
    """

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = UUID_PATTERN
        return super().get_lookup_regex(viewset, lookup_prefix)

    def get_method_map(self, viewset, method_map):
        bound = super().get_method_map(viewset, method_map)
        if "put" in bound:
            bound["patch"] = bound["put"]
        return bound
