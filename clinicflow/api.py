"""The base classes of every API view: what each request is checked for after its
caller is known (authentication, role, throttles), in one place.

- Query parameters are the ones the view declares in ``query_serializer_class``
  (a serializer, or a dict keyed by action or HTTP method) plus ``page`` and
  ``page_size`` where the answer is paged. Anything else is a 400
  ``{"<param>": ["Unknown query parameter."]}``, never silently ignored. An empty
  value is a 400 too (``?date=`` is not today), unless the field allows blank (a
  search box), as is a parameter given twice, except a list parameter
  (``?status=a&status=b`` reads as ``?status=a,b``). The validated values are
  ``view.query``; the schema documents the same serializer (clinicflow.schema).
- ``PUT`` and ``PATCH`` change only the keys sent, and need a JSON object (``{}``
  changes nothing); a missing body is a 400. ``PATCH`` is the same handler as
  ``PUT`` wherever there is one: on viewsets through the router, here for views.
"""

from rest_framework import generics, viewsets
from rest_framework import views as drf_views
from rest_framework.exceptions import ValidationError

from clinicflow.fields import BooleanField, ChoiceListField

PAGE_PARAMS = ("page", "page_size")
QUERY_BOOLEANS = {"true": True, "false": False}
UNKNOWN_PARAMETER = "Unknown query parameter."


def handles(view, request) -> bool:
    """Whether ``view`` has a handler for the request's method (else: 405)."""
    if request.method == "OPTIONS":
        return True
    if hasattr(view, "action_map"):
        return request.method.lower() in view.action_map
    return hasattr(view, request.method.lower())


def query_serializer_for(view, *, action, method):
    """The serializer of ``view``'s query parameters for one action or method."""
    declared = getattr(view, "query_serializer_class", None)
    if isinstance(declared, dict):
        return declared.get(action) or declared.get(method.lower())
    return declared


def read_query(query_params, serializer_class, *, paged: bool, context=None) -> dict:
    """Validates a request's query string against ``serializer_class`` (400 naming
    every bad parameter)."""
    fields = serializer_class().fields if serializer_class else {}
    allowed = set(fields) | (set(PAGE_PARAMS) if paged else set())
    data, errors = {}, {}
    for name in query_params:
        values = query_params.getlist(name)
        if name not in allowed:
            errors[name] = [UNKNOWN_PARAMETER]
        elif "" in values and not getattr(fields.get(name), "allow_blank", False):
            errors[name] = ["May not be empty: leave the parameter out instead."]
        elif isinstance(fields.get(name), ChoiceListField):
            data[name] = ",".join(values)
        elif len(values) > 1:
            errors[name] = ["Give this parameter once."]
        elif isinstance(fields.get(name), BooleanField):
            data[name] = QUERY_BOOLEANS.get(values[0], values[0])
        else:
            data[name] = values[0]
    if errors:
        raise ValidationError(errors)
    if serializer_class is None:
        return {}
    query = serializer_class(data=data, context=context or {})
    query.is_valid(raise_exception=True)
    return query.validated_data


class RequestChecks:
    query_serializer_class = None
    # A custom action whose answer is paged says so: @action(..., paginated=True).
    paginated = False

    def is_paged(self) -> bool:
        if getattr(self, "pagination_class", None) is None:
            return False
        return (
            self.paginated
            or getattr(self, "action", None) == "list"
            or isinstance(self, generics.ListAPIView)
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not handles(self, request):
            return  # dispatch answers 405 Method Not Allowed
        serializer_class = query_serializer_for(
            self, action=getattr(self, "action", None), method=request.method
        )
        self.query = read_query(
            request.query_params,
            serializer_class,
            paged=self.is_paged(),
            context={"request": request, "view": self},
        )
        if request.method in ("PUT", "PATCH") and not request.body:
            raise ValidationError(
                {"non_field_errors": ["Send a JSON object with the fields to change."]}
            )


class APIView(RequestChecks, drf_views.APIView):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "put" in vars(cls) and "patch" not in vars(cls):
            cls.patch = cls.put


class GenericViewSet(RequestChecks, viewsets.GenericViewSet):
    pass


class ListAPIView(RequestChecks, generics.ListAPIView):
    pass
