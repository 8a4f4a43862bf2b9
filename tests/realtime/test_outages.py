"""Sockets when Redis or the database goes away: a socket that cannot sign in, join
its groups or keep listening is closed with 1013 (try again later), so the client
reconnects; the first socket after Redis is back works.

Redis is a private ``redis-server`` per test (tests/redis_server.py) that the test
kills and starts again, never the machine's shared one."""

import logging
import time
from uuid import uuid4

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import OperationalError

from clinicflow.settings import channels_redis_config
from dashboard import consumers
from tests.realtime.helpers import Sockets, closed_with
from tests.redis_server import private_redis_server

pytestmark = pytest.mark.django_db(transaction=True)

TRY_AGAIN_LATER = 1013


@pytest.fixture
def redis_server():
    yield from private_redis_server()


@pytest.fixture
def private_layer(settings, redis_server):
    """channels-redis, with the project's own configuration, on the private Redis."""
    config = channels_redis_config(redis_server.url)
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {**config, "CONFIG": {**config["CONFIG"], "prefix": f"test-{uuid4().hex}"}}
    }
    yield redis_server
    channel_layers.backends.clear()


def test_signing_in_without_redis_closes_with_1013_and_works_once_it_is_back(
    private_layer, admin, token, caplog
):
    access = token(admin)
    caplog.set_level(logging.WARNING)

    async def scenario():
        async with Sockets() as sockets:
            await sockets.signed_in(access, "admin")
        private_layer.stop()

        async with Sockets() as sockets:
            comm = await sockets.connect()
            await comm.send_json_to({"type": "auth", "token": access})
            started = time.monotonic()
            assert await closed_with(comm, timeout=15) == TRY_AGAIN_LATER
            took = time.monotonic() - started

        private_layer.start()  # an empty Redis on the same port
        async with Sockets() as sockets:
            await sockets.signed_in(access, "admin")
        return took

    took = async_to_sync(scenario)()

    assert took < 15
    said = [r for r in caplog.records if r.name == "dashboard.consumers"]
    assert said
    assert "1013, redis unavailable" in said[0].getMessage()


def test_a_listening_socket_is_closed_with_1013_when_redis_goes_away(private_layer, admin, token):
    access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.signed_in(access, "admin")
            private_layer.stop()
            return await closed_with(comm, timeout=15)

    assert async_to_sync(scenario)() == TRY_AGAIN_LATER


def test_signing_in_without_the_database_closes_with_1013(memory_layer, admin, token, monkeypatch):
    access = token(admin)

    async def database_down(raw):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(consumers, "_authenticate", database_down)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.connect()
            await comm.send_json_to({"type": "auth", "token": access})
            return await closed_with(comm)

    assert async_to_sync(scenario)() == TRY_AGAIN_LATER
