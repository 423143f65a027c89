"""How a post to the chat service can end, as the delivery rules need to know it.

The rules for digests (scorecard.digest_runs) and nudges (scorecard.nudge_sweep) are handed an
object that does the posting (in bot/, with Slack's WebClient). It raises these instead of the
client's own errors, so the rules can tell "nothing was posted" from "it may have been posted":
only the first may simply be tried again; the second is confirmed first, so nothing is posted twice.
"""


class NotPosted(Exception):
    """The service answered and said no: nothing was posted. `code` is its error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class MaybePosted(Exception):
    """No clear answer (a 5xx, a dropped connection, a time-out): the post may have arrived.

    Confirm it (find it by its mark) before posting again.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CannotConfirm(Exception):
    """The service can't say whether it has a message: now (`lasting` False), or ever (True,
    e.g. the app may not read the channel's history)."""

    def __init__(self, reason: str, *, lasting: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.lasting = lasting
