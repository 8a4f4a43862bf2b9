"""Fixtures of the live-update tests: the channel layer (in-memory, and channels-redis
for ``@pytest.mark.redis``), a patient whose details a leak would show, an intake
form, and access tokens for every persona.

Every test here runs with ``transaction=True``: events go out after commit, and the
consumer reads the database from another thread.
"""

import os
from uuid import uuid4

import pytest
from channels.layers import channel_layers

from accounts.services import session_start
from clinicflow.settings import channels_redis_config
from tests.factories import IntakeFormTemplateFactory, PatientFactory
from tests.realtime.helpers import FIELDS

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def redis_layer() -> dict:
    """The project's own channels-redis configuration (its timeouts included) on a
    prefix of this test's own."""
    config = channels_redis_config(os.environ["REDIS_URL"])
    return {"default": {**config, "CONFIG": {**config["CONFIG"], "prefix": f"test-{uuid4().hex}"}}}


def _use_layer(settings, layers):
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = layers
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _inline_and_offline(settings):
    """Jobs run in-process after commit and summaries are written locally, whatever
    the environment says, so no test leaves work in a real queue."""
    settings.JOBS_INLINE = True
    settings.OPENAI_API_KEY = ""


@pytest.fixture
def memory_layer(settings):
    """The in-memory channel layer, even when REDIS_URL picks channels-redis."""
    yield from _use_layer(settings, IN_MEMORY)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def layer(request, settings):
    """Runs a test on the in-memory layer and, with Redis, on channels-redis (a fresh
    key prefix per test, so nothing is shared with other runs)."""
    layers = IN_MEMORY if request.param == "memory" else redis_layer()
    yield from _use_layer(settings, layers)


@pytest.fixture
def patient(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Zebulon",
        last_name="Quartermaine",
        email="zebulon.q@example.org",
        phone="+1 555 010 9911",
    )


@pytest.fixture
def other_patient(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Philippa",
        last_name="Vandersloot",
        email="philippa.v@example.org",
        phone="+1 555 010 7733",
    )


@pytest.fixture
def template(clinic):
    return IntakeFormTemplateFactory(clinic=clinic, name="Pre-visit", fields=[*FIELDS])


@pytest.fixture
def token():
    """``token(user)``: a fresh access token of a new session of ``user``."""

    def access(user) -> str:
        return session_start(user=user)[0]

    return access
