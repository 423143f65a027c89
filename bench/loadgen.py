"""A load generator in processes of its own: keep-alive HTTP connections sending signed POSTs.

Concurrency C means C connections, each sending its next request as soon as the previous answer
arrives (a closed loop, like wrk). Connections are spread over a few processes so the client is
not held back by one interpreter. Only requests that start and finish inside the measured window,
after a warm-up, count. Standard library only: worker processes start fast.

Every request is signed as it is sent and carries a `trigger_id` of its own, as Slack's do: the
app handles each trigger once (bot/once_only.py), so a replayed body would only measure its
"already handled" answer.
"""

import hashlib
import hmac
import http.client
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

Payload = bytes  # a form-encoded body whose trigger_id is TRIGGER_MARK, replaced on each send
TRIGGER_MARK = b"BENCH-TRIGGER"
CLIENT_PROCESSES = max(1, min(4, os.cpu_count() or 1))
START_DELAY_SECONDS = 0.3  # lets every process be ready before the clock starts
ERROR_MARK = b"went wrong"  # our app's reply to an unexpected failure


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float]  # seconds, sorted
    errors: int
    server_cpu_seconds: float | None = None  # the server's CPU time over the measured window

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_seconds is None or not self.latencies:
            return None
        return self.server_cpu_seconds / len(self.latencies) * 1000

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        index = min(len(self.latencies) - 1, max(0, round(fraction * len(self.latencies)) - 1))
        return self.latencies[index] * 1000


def run_load(
    pool: Executor,
    port: int,
    path: str,
    payloads: list[Payload],
    signing_secret: str,
    concurrency: int,
    seconds: float,
    warmup: float,
    server_cpu: Callable[[], float] | None = None,
) -> LoadResult:
    """`concurrency` connections against the server for `seconds` after `warmup`.

    `server_cpu` (seconds of CPU the server has used so far) is read as the measured window
    opens and closes: CPU per request tells the server's own cost from time spent waiting.
    """
    processes = min(concurrency, CLIENT_PROCESSES)
    shares = [concurrency // processes + (n < concurrency % processes) for n in range(processes)]
    start = time.time() + START_DELAY_SECONDS
    window = (start + warmup, start + warmup + seconds)
    futures = [
        pool.submit(drive, port, path, payloads, signing_secret, share, offset, start, window)
        for offset, share in enumerate(shares)
    ]
    cpu_used = _cpu_over(window, server_cpu) if server_cpu is not None else None
    latencies: list[float] = []
    errors = 0
    for future in futures:
        measured, failed = future.result()
        latencies.extend(measured)
        errors += failed
    latencies.sort()
    return LoadResult(concurrency, seconds, latencies, errors, cpu_used)


def _cpu_over(window: tuple[float, float], cpu_seconds: Callable[[], float]) -> float:
    time.sleep(max(0.0, window[0] - time.time()))
    before = cpu_seconds()
    time.sleep(max(0.0, window[1] - time.time()))
    return cpu_seconds() - before


def drive(
    port: int,
    path: str,
    payloads: list[Payload],
    signing_secret: str,
    connections: int,
    offset: int,
    start: float,
    window: tuple[float, float],
) -> tuple[list[float], int]:
    """One client process: `connections` threads, each with its own keep-alive connection."""
    results: list[tuple[list[float], int]] = []
    threads = [
        threading.Thread(
            target=_connection_loop,
            args=(
                port,
                path,
                payloads,
                signing_secret,
                offset * 1000 + n * 37,
                start,
                window,
                results,
            ),
        )
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [x for measured, _ in results for x in measured], sum(failed for _, failed in results)


def _connection_loop(
    port: int,
    path: str,
    payloads: list[Payload],
    signing_secret: str,
    first: int,
    start: float,
    window: tuple[float, float],
    results: list[tuple[list[float], int]],
) -> None:
    measured: list[float] = []
    errors = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(max(0.0, start - time.time()))
    number = first
    while True:
        began_wall, began = time.time(), time.perf_counter()
        if began_wall >= window[1]:
            break
        body, headers = signed(payloads[number % len(payloads)], signing_secret, first, number)
        number += 1
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            failed = response.status != 200 or ERROR_MARK in answer
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            failed = True
        elapsed = time.perf_counter() - began
        if began_wall >= window[0] and began_wall + elapsed <= window[1]:
            measured.append(elapsed)
            errors += failed
    connection.close()
    results.append((measured, errors))


def signed(payload: Payload, signing_secret: str, first: int, number: int) -> tuple[bytes, dict]:
    """The body with a trigger_id no other request has, and Slack's v0 signature headers."""
    trigger = f"{os.getpid()}.{first}.{number}.{time.time_ns()}".encode()
    body = payload.replace(TRIGGER_MARK, trigger)
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    return body, headers
