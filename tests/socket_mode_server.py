"""Slack's side of Socket Mode on loopback, for the tests.

Like the WebSocket server slack-bolt's own Socket Mode tests run: the app's Socket Mode client
connects to it (the stand-in's `apps.connections.open` hands out `url`), is greeted with `hello`,
and gets envelopes; what the app acks is recorded so a test can wait for it:

    with SocketModeServer() as slack_side:
        api.socket_mode_url = slack_side.url
        ...connect the app...
        ack = slack_side.slash_command("/kpi", "log instagram followers 12.4k")
"""

import itertools
import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

LOOPBACK = "127.0.0.1"
# Slack's URLs carry a path and a ticket; the SDK's client needs the path to build its request.
SOCKET_PATH = "/link/?ticket=local-test"
CLOSE_TIMEOUT_SECONDS = 1
DEFAULT_WAIT_SECONDS = 5.0

Envelope = dict[str, Any]


class SocketModeServer:
    """Greets each connection with `hello`, sends envelopes, records acks by envelope id."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, Envelope] = {}
        self._envelope_ids = (f"envelope-{number}" for number in itertools.count(1))
        self._server = serve(
            self._talk,
            LOOPBACK,
            0,
            compression=None,
            ping_interval=None,  # the SDK's client pings us; that is enough to keep it honest
            close_timeout=CLOSE_TIMEOUT_SECONDS,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="socket-mode-server", daemon=True
        )

    # Lifecycle and address

    def start(self) -> "SocketModeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=DEFAULT_WAIT_SECONDS)

    def __enter__(self) -> "SocketModeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What `apps.connections.open` answers with."""
        port = self._server.socket.getsockname()[1]
        return f"ws://{LOOPBACK}:{port}{SOCKET_PATH}"

    # Playing Slack

    def connected_within(self, timeout: float) -> bool:
        """True once a client is connected (and greeted); False if none is within `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: bool(self._connections), timeout)

    def wait_for_connection(self, timeout: float = DEFAULT_WAIT_SECONDS) -> None:
        if not self.connected_within(timeout):
            raise AssertionError(f"No Socket Mode client connected within {timeout}s")

    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U0LEAD",
        team: str = "T0DEMO",
        channel: str = "C0DEMO",
        response_url: str = "",
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> Envelope:
        """Send a slash command as Slack does over the socket; the app's ack, once it arrives."""
        payload = {
            "token": "verification-token-unused",
            "team_id": team,
            "team_domain": "scorecard-demo",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0SCORECARD",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
        }
        return self.wait_for_ack(self.send("slash_commands", payload), timeout)

    def interaction(
        self, payload: dict[str, Any], timeout: float = DEFAULT_WAIT_SECONDS
    ) -> Envelope:
        """Send a block action or view submission; the app's ack, once it arrives."""
        return self.wait_for_ack(self.send("interactive", payload), timeout)

    def hang_up(self) -> None:
        """Close every connection from Slack's side (the client's receive loop ends at once)."""
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.close()

    def send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Send one envelope to the newest connection; its envelope id, to wait for the ack."""
        envelope_id = next(self._envelope_ids)
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": True,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        self.wait_for_connection()
        with self._changed:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = DEFAULT_WAIT_SECONDS) -> Envelope:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"No ack for {envelope_id} within {timeout}s")
            return self._acks[envelope_id]

    # One connection, on the server's thread for it

    def _talk(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "local-test", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0SCORECARD"},
                }
            )
        )
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for message in connection:
                ack = json.loads(message)
                if isinstance(ack, dict) and "envelope_id" in ack:
                    with self._changed:
                        self._acks[ack["envelope_id"]] = ack
                        self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._connections.remove(connection)
                self._changed.notify_all()
