"""Starting the servers under test as subprocesses on free loopback ports, and stopping them."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.signing import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


@dataclass
class RunningServer:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far, its forked processes included."""
        server = psutil.Process(self.process.pid)
        processes = [server, *server.children(recursive=True)]
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_path.unlink(missing_ok=True)


def server_environment(api_url: str, database_url: str | None = None) -> dict[str, str]:
    """The same settings for every server: WEB_CONCURRENCY and WEB_THREADS as the caller has."""
    env = dict(os.environ)
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_scorecard(database_url: str, api_url: str) -> RunningServer:
    port = free_port()
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    return _start("scorecard", command, port, server_environment(api_url, database_url), "/healthz")


def start_bare(mode: str, api_url: str) -> RunningServer:
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_app", "--mode", mode, "--port", str(port)]
    return _start(f"bare {mode}", command, port, server_environment(api_url), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _start(
    name: str, command: list[str], port: int, env: dict[str, str], health_path: str | None
) -> RunningServer:
    with tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
    server = RunningServer(name, port, process, Path(log.name))
    try:
        _wait_until_up(server, health_path)
    except Exception:
        server.stop()
        raise
    return server


def _wait_until_up(server: RunningServer, health_path: str | None) -> None:
    """Until every worker answers: the server queues connections while it starts."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log_path.read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection(LOOPBACK, server.port, timeout=5)
            connection.request("GET", health_path or "/")
            status = connection.getresponse().status
            connection.close()
            if health_path is None or status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT_SECONDS} s")
