"""A Redis that accepts connections and never answers (frozen, or a network that
drops packets) costs a request at most LIVE_EVENTS_TIMEOUT_SECONDS for its live
update, and never fails it: the booking is saved and answered."""

import time

import pytest

from clinicflow import event_log as logs
from clinicflow.settings import channels_redis_config
from scheduling.models import Appointment
from tests.realtime.helpers import booking
from tests.redis_server import Blackhole

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def frozen_redis(settings):
    hole = Blackhole()
    settings.CHANNEL_LAYERS = {"default": channels_redis_config(hole.url)}
    logs._logs.clear()
    yield hole
    logs._logs.clear()
    hole.close()


def test_a_booking_is_answered_within_a_second_while_redis_is_frozen(
    api, admin, doctor, patient, frozen_redis, caplog
):
    client = api(admin)

    started = time.monotonic()
    response = client.post("/api/appointments", booking(doctor.doctor, patient), format="json")
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    assert Appointment.objects.filter(pk=response.json()["id"]).exists()
    assert elapsed < 1.5, f"the booking took {elapsed:.2f} s"
    assert "could not be logged" in caplog.text
