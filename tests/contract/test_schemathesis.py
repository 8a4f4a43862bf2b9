"""The schema is what the API does: schemathesis runs every check it has against
/api/schema/, once per role (admin, doctor, owner, anonymous).

No server errors, no response outside the schema, no undocumented status code,
invalid input refused and valid input accepted. A failure names the operation and
shows the request to replay.
"""

import pytest
from schemathesis.core.result import Ok

# schemathesis.pytest's own collector does not run on pytest 9.2 (it rewrites node
# ids); this builds the same per-operation Hypothesis tests (examples, coverage and
# fuzzing phases, the config's seed and bounds) and runs them in one test per role.
from schemathesis.pytest.lazy import get_all_tests

from tests.contract.conftest import EXAMPLES, FAILURES

pytestmark = pytest.mark.contract


def test_api_answers_as_its_schema_says(api_schema):
    role = api_schema.role
    failures = []

    def check(case):
        key = (role, case.operation.label)
        EXAMPLES[key] += 1
        try:
            case.call_and_validate()
        except BaseException:
            FAILURES[key] += 1
            raise

    for built in get_all_tests(schema=api_schema, test_func=check, settings=None, given_kwargs={}):
        assert isinstance(built, Ok), built.err()
        operation, run = built.ok()
        try:
            run()
        except BaseException as exc:  # schemathesis raises a BaseExceptionGroup
            if not isinstance(exc, Exception | BaseExceptionGroup):
                raise  # KeyboardInterrupt and the like
            failures.append(f"{operation.label}\n{exc}")
    if failures:
        pytest.fail(f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures))
