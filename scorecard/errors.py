"""The one kind of error meant for people rather than for logs."""


class UserError(Exception):
    """Something the person asked for cannot be done as typed.

    The message is written for the person who typed the command: it says what was wrong and how
    to fix it. Handlers turn it into a friendly reply; anything else is a bug and gets logged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
