"""The patient's intake page at ``/intake/<token>/``: server-rendered, works without
JavaScript and without cookies, and backed by the same services as the public API.

Why the form carries no CSRF token: CSRF protects a user's *ambient* credentials (a
session cookie a forged cross-site post would ride on). This page has none: it sets
and reads no cookie, and its only credential is the 256-bit secret in the URL, which
a forging site would have to know — and anyone who knows it can post the answers
directly. A CSRF check would add nothing but a cookie the patient's browser may
block, and Django's origin check refuses the ``Origin: null`` that the page's
``no-referrer`` policy makes browsers send. So the view is ``csrf_exempt``, and the
referrer policy stays ``no-referrer``: the secret never leaves in a ``Referer``.
"""

import re
from functools import wraps
from types import SimpleNamespace

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework.request import Request

from clinicflow.throttles import ScopedRateThrottle
from intake import services
from intake.errors import (
    AlreadySubmitted,
    InvalidAnswers,
    LinkError,
    TokenExpired,
    TokenNotFound,
    TokenReplaced,
    VisitCancelled,
    VisitStarted,
)
from intake.forms import number_from_text, number_hint
from intake.models import FieldType
from intake.serializers import public_form_data

# Each page a link can end on, in the patient's words. ``{visit}`` reads
# "your visit with Dr. Chen on Monday, January 7".
PROBLEMS = {
    TokenNotFound: (
        "We can’t open this form",
        "This link doesn’t match any form. Please check that you opened the whole link "
        "from your email or text message. If it still doesn’t work, contact the clinic "
        "that sent it.",
    ),
    AlreadySubmitted: (
        "We already have your answers",
        "You’ve already sent this form for {visit}. Thank you, there is nothing more "
        "to do. If you need to change an answer, let the clinic know.",
    ),
    TokenReplaced: (
        "There’s a newer link for this form",
        "The clinic sent you a newer link for {visit}. Please open the most recent email "
        "or text message from the clinic: only the newest link works.",
    ),
    VisitCancelled: (
        "Your visit was cancelled",
        "{visit_cap} was cancelled, so this form isn’t needed any more. To book a new "
        "visit, contact the clinic.",
    ),
    VisitStarted: (
        "This form is closed",
        "{visit_cap} has already started or is over, so this form is closed. If the "
        "clinic still needs your answers, the front desk will help you.",
    ),
    TokenExpired: (
        "This link has expired",
        "For your privacy, form links only work for a limited time. Contact the clinic "
        "and they will send you a new link for {visit}, or help you at the front desk.",
    ),
}

# The page is for one patient's eyes: nobody caches it, indexes it, frames it, or
# receives its address as a referrer; it runs no script and posts only to itself.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}


def _private(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapped


def _throttled(request) -> bool:
    return not ScopedRateThrottle().allow_request(
        Request(request), SimpleNamespace(throttle_scope="public_intake")
    )


def _typed(fields: list[dict], post) -> dict:
    """What the patient typed, exactly, to show again next to any error."""
    typed = {}
    for field in fields:
        key, kind = field["key"], field["type"]
        if kind == FieldType.MULTISELECT:
            typed[key] = post.getlist(key)
        elif kind == FieldType.CHECKBOX:
            typed[key] = key in post
        else:
            typed[key] = post.get(key, "")
    return typed


def _answers(fields: list[dict], typed: dict) -> dict:
    """The typed form in the shape the API takes: numbers as numbers where they
    parse (else the text, which the checker refuses with a message)."""
    return {
        field["key"]: (
            number_from_text(typed[field["key"]])
            if field["type"] == FieldType.NUMBER
            else typed[field["key"]]
        )
        for field in fields
    }


def _tel(phone: str) -> str:
    return re.sub(r"(?!^\+)\D", "", phone.strip())


def _problem(request, exc: LinkError):
    title, message = next(
        words for error_class, words in PROBLEMS.items() if isinstance(exc, error_class)
    )
    context = {"title": title, "clinic_name": "", "phone": "", "tel": ""}
    visit = exc.appointment
    if visit is not None:
        when = f"{visit.scheduled_date:%A, %B} {visit.scheduled_date.day}"
        words = f"your visit with {visit.doctor.name} on {when}"
        message = message.format(visit=words, visit_cap=words[0].upper() + words[1:])
        clinic = visit.clinic
        context.update(clinic_name=clinic.name, phone=clinic.phone, tel=_tel(clinic.phone))
    context["message"] = message
    return render(request, "intake/problem.html", context, status=exc.status_code)


def _form_fields(fields: list[dict], typed: dict, errors: dict) -> list[dict]:
    shown = []
    for field in fields:
        empty = [] if field["type"] == FieldType.MULTISELECT else ""
        shown.append(
            {
                **field,
                "value": typed.get(field["key"], empty),
                "errors": errors.get(field["key"], []),
                "number_hint": number_hint(field) if field["type"] == FieldType.NUMBER else "",
                # The control a link in the error summary moves to.
                "anchor": (
                    f"f-{field['key']}-0"
                    if field["type"] == FieldType.MULTISELECT
                    or (field["type"] == FieldType.SELECT and len(field["options"]) <= 5)
                    else f"f-{field['key']}"
                ),
            }
        )
    return shown


@csrf_exempt  # the link is the credential; see the module docstring
@_private
@require_http_methods(["GET", "POST"])
def intake_page(request, token):
    if _throttled(request):
        return render(
            request,
            "intake/problem.html",
            {
                "title": "Please wait a moment",
                "message": "Too many attempts from this connection. Try again in a minute.",
            },
            status=429,
        )
    try:
        link = services.intake_open(raw=token)
    except LinkError as exc:
        return _problem(request, exc)
    form = public_form_data(link)
    fields = form["form"]["fields"]
    typed, errors = {}, {}
    if request.method == "POST":
        typed = _typed(fields, request.POST)
        try:
            services.intake_submit(raw=token, responses=_answers(fields, typed))
        except InvalidAnswers as exc:
            errors = exc.errors
        except LinkError as exc:
            return _problem(request, exc)
        else:
            return render(request, "intake/thanks.html", form)
    shown = _form_fields(fields, typed, errors)
    return render(
        request,
        "intake/form.html",
        {
            **form,
            "fields": shown,
            "invalid": [field for field in shown if field["errors"]],
        },
        status=422 if errors else 200,
    )
