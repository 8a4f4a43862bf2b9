"""A private ``redis-server`` for tests that stop, freeze or kill Redis, so that no
other test (or engineer) sharing the machine's Redis is disturbed.

``redis_server`` (a fixture in the tests that use it) starts one on a free port with
no persistence; ``stop()`` kills it, ``freeze()``/``thaw()`` stop and continue the
process (connections stay open but nothing answers), ``start()`` brings it back on
the same port. ``Blackhole`` is a port that accepts connections and never answers.
"""

import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from tests.conftest import REQUIRE_SERVICES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)


def private_redis_server():
    """Starts a private redis-server (skips, or fails under
    CLINICFLOW_REQUIRE_SERVICES=1, when the binary is missing); yields it, kills it."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "needs the redis-server binary (apt-get install redis-server)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and CLINICFLOW_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(reason)
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Blackhole:
    """A server that accepts connections and never answers: a frozen Redis, or a
    network that drops packets, without a process to manage."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self.socket.close()
