"""Slow clients must not stall the server: connections that send part of a request and stop (no
signature needed to open them) cost a socket each, not a worker."""

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlparse

from tests.faults.conftest import Served

STALLED_CONNECTIONS = 50
ANSWER_WITHIN_SECONDS = 1.0
PROMISED_BYTES = 1000


@contextmanager
def stalled_clients(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that send headers and the start of a body, then nothing more."""
    address = urlparse(url)
    start = (
        "POST /slack/events HTTP/1.1\r\n"
        f"Host: {address.hostname}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {PROMISED_BYTES}\r\n\r\n"
        "command=%2Fkpi&text=log"
    ).encode()
    with ExitStack() as stack:
        clients = []
        for _ in range(count):
            client = stack.enter_context(
                socket.create_connection((address.hostname, address.port), timeout=5)
            )
            client.sendall(start)
            clients.append(client)
        yield clients


def test_fifty_stalled_connections_do_not_delay_a_signed_command(served: Served) -> None:
    with stalled_clients(served.url, STALLED_CONNECTIONS):
        time.sleep(0.2)  # let the server take them all in
        start = time.monotonic()
        answer = served.sender.slash_command("/kpi", "list", team_id="T0DEMO", user_id="U0SOCIAL")
        took = time.monotonic() - start

    assert answer.status == 200
    assert "Instagram followers" in answer.body
    assert took < ANSWER_WITHIN_SECONDS, f"answered after {took:.2f} s"
