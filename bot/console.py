"""`scorecard console`: the real app, a local stand-in for Slack, and a prompt to type commands at.

Every line typed becomes a signed HTTP request to the same WSGI app `scorecard serve` runs; the
app talks to the stand-in instead of slack.com. Messages it posts (digests, nudges) are printed
as they arrive.
"""

import secrets
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from bot.app import create_app
from bot.config import Settings
from bot.http import SLACK_PATH, ScorecardWSGI
from bot.local_server import LocalHttpServer
from bot.plain_text import message_to_text
from bot.signed_requests import SignedRequestSender
from bot.slack_standin import RecordedCall, SlackStandIn
from handlers.home import finish_republishing
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
# How long the console waits for a command's slow part (a picture, a preview) before moving on.
LATER_WORK_SECONDS = 60
COMMANDS = tuple(command.name for command in SLASH_COMMANDS)

INTRO = """\
Scorecard console: type slash commands as you would in Slack. Try:
  /kpi list
  /kpi log instagram followers 12.4k
  /kpi show engagement rate
  /why social media bootcamp
  /why daily meme posts
  /action mine
`home` shows your Home tab; `as U0SOCIAL` switches who you are; `quit` (or Ctrl-D) leaves.
"""
HOME = "home"


class Console:
    """Types commands into the real app and prints what comes back, as a person would see it."""

    def __init__(
        self, settings: Settings, database: Database, workspace: str, user: str, out: TextIO
    ):
        self.workspace = workspace
        self.user = user
        self.out = out
        secret = secrets.token_hex(16)
        self._showing_home = False
        self.slack = SlackStandIn()
        self.slack.on_call = self._print_posted
        # The person at the console runs this Slack: a workspace admin, so every form and
        # admin command can be tried (`as U0…` switches to someone who is not).
        self.slack.add_user(user, is_admin=True)
        self.slack.start()
        app_settings = replace(
            settings,
            bot_token="xoxb-console",
            client_id=None,  # the console is one workspace, whatever the environment says
            signing_secret=secret,
            slack_api_url=self.slack.api_url,
        )
        # Slow work (pictures, previews, reviews) runs after the command's answer; the console
        # waits for it after each line, so replies stay in order and nothing is cut off at quit.
        self.later = ThreadPoolExecutor(max_workers=4, thread_name_prefix="console-later")
        self._pending: list[Future[Any]] = []
        app = create_app(app_settings, database, listener_executor=_Tracked(self))
        self.server = LocalHttpServer(ScorecardWSGI(app, database)).start()
        self.sender = SignedRequestSender(self.server.url + SLACK_PATH, secret)

    def close(self) -> None:
        self.finish_later_work()
        self.later.shutdown(wait=True, cancel_futures=True)
        self.server.stop()
        self.slack.stop()

    def handle(self, line: str) -> bool:
        """Run one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", "q"):
            return False
        if line == "as" or line.startswith("as "):
            who = line.removeprefix("as").strip().lstrip("@")
            if not who:
                self._say("Say who you want to be, by Slack user id: `as U0SOCIAL`.")
                return True
            self.user = who
            self._say(f"You are now {self.user}.")
            return True
        if line.casefold() == HOME:
            self._open_home()
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
        self.finish_later_work()
        return True

    def _open_home(self) -> None:
        """As when the person clicks the app's Home tab in Slack: the tab is drawn and shown."""
        self._showing_home = True
        opened = {"type": "app_home_opened", "user": self.user, "channel": "D0HOME", "tab": "home"}
        answer = self.sender.event(opened, team_id=self.workspace)
        if answer.status != 200:
            self._say(f"(the app answered HTTP {answer.status}: {answer.body.strip()})")
        self.finish_later_work()
        self._showing_home = False

    def finish_later_work(self) -> None:
        """Wait for what the last command started after its answer (at most a minute)."""
        pending, self._pending = self._pending, []
        wait(pending, timeout=LATER_WORK_SECONDS)
        finish_republishing()

    def _print_posted(self, call: RecordedCall) -> None:
        if call.method == "chat.postEphemeral" or call.method == "response_url":
            self._say(f"[only you see this]\n{message_to_text(call.params)}")
        elif call.method == "chat.postMessage":
            self._say(f"[posted to {call.params.get('channel')}]\n{message_to_text(call.params)}")
        elif call.method in ("views.open", "views.push"):
            title = ((call.params.get("view") or {}).get("title") or {}).get("text", "a form")
            self._say(f"[a form opened in Slack: {title}. Forms can't be filled in here.]")
        elif call.method == "views.publish" and self._showing_home:
            self._say(f"[your Home tab]\n{message_to_text(call.params.get('view') or {})}")
        elif call.method == "views.publish":
            self._say("[your Home tab was redrawn: type `home` to see it]")
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


class _Tracked(Executor):
    """Runs the app's lazy listeners on the console's pool and remembers them, to wait for."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.console.later.submit(fn, *args, **kwargs)
        self.console._pending.append(future)
        return future
