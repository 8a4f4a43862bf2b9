"""``make worker`` restarts the RQ worker when it dies (a crash, Redis lost mid-job),
checked with real processes: a private redis-server and the Makefile's own loop."""

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis
from django.conf import settings
from rq import Worker

from tests.redis_server import private_redis_server

pytestmark = pytest.mark.redis
MAKE = shutil.which("make")


def workers(url: str) -> list[Worker]:
    return Worker.all(connection=redis.Redis.from_url(url))


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


@pytest.fixture
def redis_server():
    yield from private_redis_server()


@pytest.mark.skipif(MAKE is None, reason="needs make")
def test_make_worker_starts_the_worker_again_after_it_is_killed(redis_server):
    env = {**os.environ, "REDIS_URL": redis_server.url}
    env.pop("DATABASE_URL", None)  # registering needs no database
    supervisor = subprocess.Popen(
        [MAKE, "--no-print-directory", "worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(lambda: len(workers(redis_server.url)) == 1)
        [first] = workers(redis_server.url)

        os.kill(first.pid, signal.SIGKILL)

        wait_for(lambda: [w.pid for w in workers(redis_server.url)] not in ([], [first.pid]))
        [second] = [w for w in workers(redis_server.url) if w.pid != first.pid]
        assert second.pid != first.pid
        assert supervisor.poll() is None  # the loop is still supervising
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=10)
