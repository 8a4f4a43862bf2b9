"""A worker killed in the middle of a summary job (SIGKILL while OpenAI is answering)
leaves the summary owed, and the next worker writes it after the sweeper queues it
again: with real processes (a private redis-server, ``manage.py rqworker`` against
the test database) and a fake OpenAI on localhost."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from intake.models import IntakeSubmission
from intake.services import summaries_sweep
from tests.intake.conftest import completion
from tests.intake.helpers import answers, public_url
from tests.redis_server import free_port, private_redis_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class SlowThenFastOpenAI(ThreadingHTTPServer):
    """Chat completions on localhost: the first request hangs until released (the
    worker is killed meanwhile), every later one answers at once."""

    def __init__(self):
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.requests = 0
        super().__init__(("127.0.0.1", free_port()), self.Handler)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            server = self.server
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            server.requests += 1
            if server.requests == 1:
                server.first_arrived.set()
                server.release.wait(timeout=60)
            body = json.dumps(completion()).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the worker that asked is dead

        def log_message(self, *args):
            pass


@pytest.fixture
def fake_openai():
    server = SlowThenFastOpenAI()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def redis_server():
    yield from private_redis_server()


def worker(redis_url: str, openai_url: str) -> subprocess.Popen:
    """``manage.py rqworker --burst`` in its own process, on the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "OPENAI_API_KEY": "sk-test-worker-killed",
        "OPENAI_BASE_URL": openai_url,
        "OPENAI_MAX_RETRIES": "0",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "--burst"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (RQ's work horse runs the job in its own session)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry))
    return found


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL to the worker and the work horse running the job: a crash, an OOM kill."""
    for pid in children(process.pid):
        os.kill(pid, signal.SIGKILL)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_worker_killed_mid_job_leaves_the_summary_owed_and_the_next_one_writes_it(
    anon, link, settings, redis_server, fake_openai
):
    settings.JOBS_INLINE = False
    settings.SUMMARY_MAX_ATTEMPTS = 3
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 60}}
    openai_url = f"http://127.0.0.1:{fake_openai.server_address[1]}/v1"
    assert anon.post(public_url(link), {"responses": answers()}).status_code == 201
    submission = IntakeSubmission.objects.get()

    first = worker(redis_server.url, openai_url)
    assert fake_openai.first_arrived.wait(timeout=60), "the job never called OpenAI"
    kill_hard(first)  # mid-request
    fake_openai.release.set()

    submission.refresh_from_db()
    assert submission.ai_summary_status == "pending"  # owed, with nothing running
    assert submission.ai_summary_attempts == 1

    assert summaries_sweep(now=timezone.now() + timedelta(seconds=121)).requeued == 1
    second = worker(redis_server.url, openai_url)
    try:
        written = wait_until(
            lambda: IntakeSubmission.objects.filter(
                pk=submission.pk, ai_summary_status="ready"
            ).exists()
        )
    finally:
        kill_hard(second)  # a burst worker can take a minute to leave after its job

    assert written, "the second worker did not write the summary"
    submission.refresh_from_db()
    assert submission.ai_summary_source == "openai"
    assert submission.ai_summary_attempts == 2
    assert fake_openai.requests == 2
