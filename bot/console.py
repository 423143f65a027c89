"""`scorecard console`: the real app, a local stand-in for Slack, and a prompt to type commands at.

Every line typed becomes a signed HTTP request to the same WSGI app `scorecard serve` runs; the
app talks to the stand-in instead of slack.com. Messages it posts (digests, nudges) are printed
as they arrive.
"""

import secrets
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.app import create_app
from bot.config import Settings
from bot.http import SLACK_PATH, ScorecardWSGI
from bot.local_server import LocalHttpServer
from bot.plain_text import message_to_text
from bot.signed_requests import SignedRequestSender
from bot.slack_standin import RecordedCall, SlackStandIn
from handlers.kpi import SLASH_COMMANDS
from handlers.slack_text import as_slack_sends
from scorecard.errors import UserError
from storage.db import Database
from storage.migrate import upgrade
from storage.scorecards import all_scorecards

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO_FILE = EXAMPLES / "community.yaml"
DEMO_READINGS = EXAMPLES / "community-readings.csv"
DEMO_CHANNEL = "C0DEMO"
DEFAULT_USER = "U0LEAD"
PROMPT = "you> "
COMMANDS = tuple(command.name for command in SLASH_COMMANDS)

INTRO = """\
Scorecard console: type slash commands as you would in Slack. Try:
  /kpi list
  /kpi log instagram followers 12.4k
  /kpi show engagement rate
  /why social media bootcamp
  /why daily meme posts
  /action mine
`as U0SOCIAL` switches who you are; `quit` (or Ctrl-D) leaves.
"""


class Console:
    """Types commands into the real app and prints what comes back, as a person would see it."""

    def __init__(
        self, settings: Settings, database: Database, workspace: str, user: str, out: TextIO
    ):
        self.workspace = workspace
        self.user = user
        self.out = out
        secret = secrets.token_hex(16)
        self.slack = SlackStandIn()
        self.slack.on_call = self._print_posted
        self.slack.start()
        app_settings = replace(
            settings,
            bot_token="xoxb-console",
            client_id=None,  # the console is one workspace, whatever the environment says
            signing_secret=secret,
            slack_api_url=self.slack.api_url,
        )
        app = create_app(app_settings, database)
        self.server = LocalHttpServer(ScorecardWSGI(app, database)).start()
        self.sender = SignedRequestSender(self.server.url + SLACK_PATH, secret)

    def close(self) -> None:
        self.server.stop()
        self.slack.stop()

    def handle(self, line: str) -> bool:
        """Run one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", "q"):
            return False
        if line.startswith("as "):
            self.user = line.removeprefix("as ").strip().lstrip("@")
            self._say(f"You are now {self.user}.")
            return True
        command, _, text = line.partition(" ")
        if command not in COMMANDS:
            self._say(f"Commands start with {', '.join(COMMANDS)}. Try `/kpi help`.")
            return True
        answer = self.sender.slash_command(
            command,
            as_slack_sends(text),
            team_id=self.workspace,
            user_id=self.user,
            channel_id=DEMO_CHANNEL,
            response_url=self.slack.response_url(),
        )
        if answer.status != 200:
            self._say(f"(the app answered HTTP {answer.status}: {answer.body.strip()})")
        elif answer.body:
            self._say(message_to_text(answer.json()))
        return True

    def _print_posted(self, call: RecordedCall) -> None:
        if call.method in ("chat.postMessage", "chat.postEphemeral", "response_url"):
            where = call.params.get("channel", "you")
            self._say(f"[posted to {where}]\n{message_to_text(call.params)}")
        elif call.method == "files.completeUploadExternal":
            comment = message_to_text({"text": call.params.get("initial_comment", "")})
            self._say(f"[picture posted to {call.params.get('channel_id')}]\n{comment}")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def run_console(
    settings: Settings,
    *,
    demo: bool,
    user: str | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    with tempfile.TemporaryDirectory(prefix="scorecard-console-") as scratch:
        if demo:
            settings = replace(settings, database_url=f"sqlite:///{Path(scratch) / 'demo.db'}")
        database = Database(settings.database_url)
        upgrade(database)
        if demo:
            from scorecard.importing import import_scorecard
            from scorecard.reading_import import import_readings

            loaded = import_scorecard(database, DEMO_FILE.read_text(encoding="utf-8"))
            import_readings(database, DEMO_READINGS.read_text(encoding="utf-8"), loaded.workspace)
        workspace = _only_workspace(database)
        console = Console(settings, database, workspace, user or DEFAULT_USER, out)
        try:
            print(INTRO, file=out)
            interactive = stdin.isatty()
            while True:
                if interactive:
                    print(PROMPT, end="", file=out, flush=True)
                line = stdin.readline()
                if not line:
                    break
                if not interactive:
                    print(f"{PROMPT}{line.rstrip()}", file=out)
                if not console.handle(line):
                    break
        finally:
            console.close()
            database.dispose()
    return 0


def _only_workspace(database: Database) -> str:
    with database.reading() as session:
        scorecards = all_scorecards(session)
    if not scorecards:
        raise UserError(
            "The database has no scorecard yet. Try `scorecard console --demo`, or load yours "
            "with `scorecard import my-scorecard.yaml` first."
        )
    return scorecards[0].workspace
