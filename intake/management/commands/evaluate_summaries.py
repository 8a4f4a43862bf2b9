"""Scores the intake summarizers on a file of cases.

    manage.py evaluate_summaries tests/intake/summary_cases.json
    manage.py evaluate_summaries CASES.json --summarizer openai --show

Prints, per case, the recall of allergies and medications (in a bullet of their
topic), other facts kept, invented facts, false-absence claims and whether the
check of an AI summary asked for review; then the totals. ``--summarizer openai``
calls the configured model (``OPENAI_API_KEY``) once per case. Exits 1 unless every
case has full recall, nothing invented and no false absence. The file format is in
``intake/evaluation.py``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.evaluation import InvalidCases, evaluate, load_cases, problems, table
from intake.summaries import SummaryFailed, summarize_locally, summarize_with_openai


class Command(BaseCommand):
    help = "Scores the intake summarizers on a file of cases (recall, invented, false none)."

    def add_arguments(self, parser):
        parser.add_argument("cases", help="A JSON file of cases (see intake/evaluation.py).")
        parser.add_argument(
            "--summarizer",
            choices=["local", "openai"],
            default="local",
            help="Which summarizer to score (default: local; openai needs OPENAI_API_KEY).",
        )
        parser.add_argument(
            "--show", action="store_true", help="Print every summary under its case."
        )

    def handle(self, *args, cases, summarizer, show, **options):
        if summarizer == "openai" and not settings.OPENAI_API_KEY:
            raise CommandError("--summarizer openai needs OPENAI_API_KEY.")
        try:
            loaded = load_cases(cases)
        except InvalidCases as exc:
            raise CommandError(str(exc)) from None
        summarize = summarize_with_openai if summarizer == "openai" else summarize_locally
        try:
            results = evaluate(loaded, summarize)
        except SummaryFailed as exc:
            raise CommandError(f"The {summarizer} summarizer failed: {exc}") from None
        if show:
            for result in results:
                self.stdout.write(f"## {result.name} ({result.summary.source})")
                self.stdout.write(result.summary.text + "\n")
        self.stdout.write(f"Summarizer: {summarizer}, {len(results)} cases\n")
        self.stdout.write(table(results))
        shortfalls = problems(results)
        for problem in shortfalls:
            self.stdout.write(f"  - {problem}")
        if shortfalls or not all(result.card.perfect for result in results):
            raise CommandError(f"{len(shortfalls)} shortfalls in {len(results)} cases.")
        self.stdout.write(self.style.SUCCESS("Every case passes."))
