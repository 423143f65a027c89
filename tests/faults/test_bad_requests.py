"""Bad requests get 400 or 401 and one log line, never a 500 with a traceback; nothing from a
request body reaches the log at INFO; HEAD /healthz answers like GET."""

import urllib.error
import urllib.request

import pytest

from bot.http import SLACK_PATH
from bot.signed_requests import signed_headers
from tests.faults.conftest import SIGNING_SECRET, Served

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Would be secrets in a real refused request: they must never reach the log.
TOKEN, RESPONSE_URL = "verificationTOKEN123", "https%3A%2F%2Fhooks.slack.com%2Fcommands%2Fsecret"

SHAPES: dict[str, tuple[bytes, str]] = {
    "body not UTF-8": (b"command=%2Fkpi&text=\xff\xfe", FORM),
    "payload not JSON": (b"payload=not%20json", FORM),
    "payload a JSON list": (b"payload=%5B1%2C2%5D", FORM),
    "payload a JSON string": (b"payload=%22text%22", FORM),
    "form body sent as JSON": (b"command=%2Fkpi&text=list", JSON),
    "JSON body not an object": (b"[1, 2]", JSON),
    "JSON body with a form content type": (b'{"type": "event_callback"}', FORM),
    "empty body": (b"", FORM),
    "secrets in a refused body": (f"token={TOKEN}&response_url={RESPONSE_URL}".encode(), FORM),
}
# Signed or not, these are not requests Slack sends.
MALFORMED = (
    "payload not JSON",
    "payload a JSON list",
    "payload a JSON string",
    "form body sent as JSON",
    "JSON body not an object",
)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_bad_requests_get_400_or_401_and_one_quiet_log_line(served: Served) -> None:
    url = served.url + SLACK_PATH
    unsigned = {
        name: post(url, body, {"Content-Type": kind, "X-Slack-Signature": "v0=00"})
        for name, (body, kind) in SHAPES.items()
    }
    signed = {}
    for name in MALFORMED:
        body, kind = SHAPES[name]
        headers = signed_headers(body.decode(), SIGNING_SECRET) | {"Content-Type": kind}
        signed[name] = post(url, body, headers)

    assert set(unsigned.values()) <= {400, 401}, unsigned
    assert set(signed.values()) == {400}, signed
    log = served.log()
    assert "Traceback" not in log
    assert log.count("Refused a request") == len(unsigned) + len(signed)
    assert TOKEN not in log and "hooks.slack.com" not in log


def test_a_signed_request_no_listener_handles_is_a_quiet_404(served: Served) -> None:
    body, kind = SHAPES["secrets in a refused body"]
    headers = signed_headers(body.decode(), SIGNING_SECRET) | {"Content-Type": kind}

    assert post(served.url + SLACK_PATH, body, headers) == 404
    assert TOKEN not in served.log() and "hooks.slack.com" not in served.log()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_health_check_answers_get_and_head(served: Served, method: str) -> None:
    status, body = served.health(method)

    assert status == 200
    assert body == (b"ok\n" if method == "GET" else b"")
