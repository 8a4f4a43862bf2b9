"""The patient's intake page at ``/intake/<token>/``: server-rendered, works without
JavaScript, CSRF-protected, and backed by the same services as the public API."""

from types import SimpleNamespace

from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from intake import services
from intake.errors import AlreadySubmitted, InvalidAnswers, TokenExpired, TokenNotFound
from intake.models import FieldType
from intake.serializers import public_form_data

PROBLEMS = {
    TokenNotFound: ("This link does not work", 404),
    TokenExpired: ("This link has expired", 410),
    AlreadySubmitted: ("Already received", 409),
}


def _throttled(request) -> bool:
    return not ScopedRateThrottle().allow_request(
        Request(request), SimpleNamespace(throttle_scope="public_intake")
    )


def _answers_from_post(fields: list[dict], post) -> dict:
    """Browser form data in the shape the API takes: numbers as numbers where they
    parse (else left as typed, for the checker to explain), lists for multiselect,
    booleans for checkboxes."""
    answers = {}
    for field in fields:
        key, kind = field["key"], field["type"]
        if kind == FieldType.MULTISELECT:
            answers[key] = post.getlist(key)
        elif kind == FieldType.CHECKBOX:
            answers[key] = key in post
        elif kind == FieldType.NUMBER:
            raw = post.get(key, "").strip()
            try:
                answers[key] = (
                    int(raw) if raw.lstrip("-").isdigit() else float(raw) if raw else None
                )
            except ValueError:
                answers[key] = raw
        else:
            answers[key] = post.get(key, "")
    return answers


def _problem(request, exc):
    for error_class, (title, status) in PROBLEMS.items():
        if isinstance(exc, error_class):
            return render(
                request,
                "intake/problem.html",
                {"title": title, "message": exc.detail},
                status=status,
            )
    raise exc


@require_http_methods(["GET", "POST"])
def intake_page(request, token):
    if _throttled(request):
        return render(
            request,
            "intake/problem.html",
            {
                "title": "Please wait a moment",
                "message": "Too many attempts. Try again in a minute.",
            },
            status=429,
        )
    try:
        link = services.intake_open(raw=token)
    except (TokenNotFound, TokenExpired, AlreadySubmitted) as exc:
        return _problem(request, exc)
    form = public_form_data(link)
    values, errors = {}, {}
    if request.method == "POST":
        values = _answers_from_post(form["form"]["fields"], request.POST)
        try:
            services.intake_submit(raw=token, responses=values)
        except InvalidAnswers as exc:
            errors = exc.errors
        except (TokenNotFound, TokenExpired, AlreadySubmitted) as exc:
            return _problem(request, exc)
        else:
            return render(request, "intake/thanks.html", form)
    fields = [
        {
            **field,
            "value": values.get(field["key"], [] if field["type"] == FieldType.MULTISELECT else ""),
            "errors": errors.get(field["key"], []),
        }
        for field in form["form"]["fields"]
    ]
    return render(
        request,
        "intake/form.html",
        {**form, "fields": fields, "has_errors": bool(errors)},
        status=422 if errors else 200,
    )
