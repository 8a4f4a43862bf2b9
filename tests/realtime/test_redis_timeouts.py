"""Every Redis client the project creates states its own connect and read timeouts,
and the channel layer's reads outlast its blocking receive, so an idle socket is
never torn down by a read timeout (channels_redis#422, redis-py 8)."""

import asyncio
import os
from urllib.parse import urlsplit
from uuid import uuid4

import django_rq
import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.conf import settings as django_settings
from django.core.cache import caches

from tests.realtime.conftest import redis_layer

pytestmark = pytest.mark.redis


def test_the_channel_layers_reads_outlast_its_blocking_receive():
    layer = RedisChannelLayer(**redis_layer()["default"]["CONFIG"])

    pool = layer.create_pool(0)

    assert pool.connection_kwargs["socket_timeout"] >= layer.brpop_timeout + 5
    assert pool.connection_kwargs["socket_connect_timeout"] == 2


def test_the_cache_answers_quickly_or_not_at_all():
    client = caches["default"]._cache  # Django's RedisCacheClient

    pool = client._get_connection_pool(write=True)

    assert pool.connection_kwargs["socket_timeout"] == 1
    assert pool.connection_kwargs["socket_connect_timeout"] == 2


def test_the_job_queue_has_its_own_timeouts():
    connection = django_rq.get_connection("default")

    kwargs = connection.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 5
    assert kwargs["socket_connect_timeout"] == 2
    assert kwargs["db"] == int(urlsplit(os.environ["REDIS_URL"]).path.strip("/") or 0)


def test_the_queue_url_keeps_its_own_query_and_database():
    url = django_settings.RQ_QUEUES["default"]["URL"]

    assert url.startswith(os.environ["REDIS_URL"].split("?")[0])
    assert "socket_timeout=5" in url


def test_a_receive_waits_longer_than_redis_pys_default_read_timeout():
    """A message that arrives 7 s after the receive began is delivered; with
    redis-py 8's 5 s default the receive itself raised TimeoutError."""
    config = redis_layer()["default"]["CONFIG"]
    layer = RedisChannelLayer(**config)

    async def late_message() -> dict:
        channel = await layer.new_channel()
        sender = RedisChannelLayer(**config)

        async def send_later():
            await asyncio.sleep(7)
            await sender.send(channel, {"type": "ping", "n": uuid4().hex})

        task = asyncio.create_task(send_later())
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=15)
        finally:
            await task
            await sender.close_pools()
            await layer.close_pools()

    message = async_to_sync(late_message)()

    assert message["type"] == "ping"
