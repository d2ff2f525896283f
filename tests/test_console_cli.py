"""Console mode and the command line, driven by scripts as a newcomer would."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.console import run_console, stable_id
from storage.db import Database
from storage.reference import prepare_database
from tests.conftest import SHARED_SAMPLE, make_settings
from tests.test_operations import ogp_bot


def _console(tmp_path: Path, script: str, **kwargs) -> str:
    db = Database(f"sqlite:///{tmp_path}/console.db")
    prepare_database(db)
    settings = make_settings(db.url)
    out = io.StringIO()
    code = run_console(settings, db, stdin=io.StringIO(script), out=out, **kwargs)
    db.dispose()
    assert code == 0
    return out.getvalue()


def test_console_script_greets_and_helps(tmp_path: Path) -> None:
    output = _console(tmp_path, "/start\n/help\nhello\n:quit\n", user_name="Wanjiru")
    assert "Loaded OGP demo data: 104 rows: 104 created" in output
    assert "Wanjiru (private)> /start" in output
    assert "bot: *Welcome, Wanjiru!*" in output  # bold shown as emphasis
    assert ": /status /search /country /history /stats" in output  # /help, grouped
    assert "<b>" not in output  # HTML shown as plain text, not raw tags


def test_console_switches_users_roles_and_groups(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/help",
            ":admin",
            "/help",
            ":as Bob",
            ":who",
            ":group Kenya WG",
            "just chatting",
            "/help",
            ":private",
            ":7",
            ":nonsense",
            ":quit",
        ]
    )
    output = _console(tmp_path, script, user_name="Ana")
    assert "Your role here: member." in output
    assert "Your role here: admin." in output
    assert "you are now Bob" in output
    assert "Bob [Kenya WG]> just chatting\n  (no answer)" in output
    assert "Bob [Kenya WG]> /help\nbot: " in output
    assert "(no message with buttons here)" in output
    assert ":N" in output  # unknown console command shows the console help


def test_console_keeps_people_across_sessions(tmp_path: Path) -> None:
    _console(tmp_path, "/start\n", user_name="Ana")
    output = _console(tmp_path, "/start\n", user_name="Ana", load_demo=False)
    assert "Welcome back, Ana!" in output


def test_console_through_the_real_command(tmp_path: Path) -> None:
    result = ogp_bot("console", "--user", "Kofi", db_url=None, cwd=tmp_path, stdin="/start\n")
    assert result.returncode == 0, result.stderr
    assert "Welcome, Kofi!" in result.stdout
    assert (tmp_path / "ogp-bot.db").exists()  # the default database, as `run` uses


def test_migrate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert main(["--database", url, "migrate"]) == 0
    assert f"database is at revision {head}" in capsys.readouterr().out


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared sample not present")
def test_import_command_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/i.db"
    assert main(["--database", url, "import", str(SHARED_SAMPLE)]) == 0
    assert "104 rows: 104 created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out
    assert main(["--database", url, "import", str(SHARED_SAMPLE)]) == 0
    assert "0 created, 0 updated, 104 unchanged, 0 skipped" in capsys.readouterr().out


def test_import_command_reports_bad_rows(tmp_path: Path, capsys) -> None:
    header = "Commitment Unique Identifier,Code,Country/Locality,Commitment Title\n"
    rows = "KE0001,KEN,Kenya,Open contracting\n,KEN,Kenya,No id here\nKE0002,KEN,Kenya,Fine\n"
    csv_file = tmp_path / "broken.csv"
    csv_file.write_text(header + rows)
    code = main(["--database", f"sqlite:///{tmp_path}/b.db", "import", str(csv_file)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{csv_file}:3: skipped" in captured.err
    assert "2 created" in captured.out and "1 skipped" in captured.out


def test_import_command_missing_file(tmp_path: Path, capsys) -> None:
    code = main(["--database", f"sqlite:///{tmp_path}/x.db", "import", "nope.csv"])
    assert code == 2
    assert capsys.readouterr().err.strip() == "ogp-bot: nope.csv: no such file"


def test_bad_database_url_is_one_line(tmp_path: Path, capsys) -> None:
    code = main(["--database", "nosuchdb://x", "migrate"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ogp-bot: database") and err.count("\n") == 1


def test_console_button_numbers_out_of_range(tmp_path: Path) -> None:
    script = "/settings\n:²\n:" + "9" * 400 + "\n:1\n:quit\n"
    output = _console(tmp_path, script, user_name="Wanjiru")
    assert output.count("(the latest buttons are numbered 1 to") == 2
    assert "Traceback" not in output


class _LiveConsole:
    """`ogp-bot console` as a subprocess with piped stdin; its output read as it comes."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OGP_BOT_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "console", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []
        self._new = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()

    def type(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, *, after: int = 0, seconds: float = 90) -> int:
        """Index of the first output line from ``after`` on that contains ``text``."""
        with self._new:
            found = self._new.wait_for(
                lambda: any(text in line for line in self.lines[after:]), timeout=seconds
            )
            assert found, f"{text!r} never came; output:\n" + "\n".join(self.lines)
            return next(i for i, line in enumerate(self.lines) if i >= after and text in line)

    def button(self, label: str, *, after: int = 0) -> str:
        """The console number of the button labelled ``label`` (":3")."""
        line = self.lines[self.wait_for(label, after=after)]
        number = line[: line.index(label)].rsplit("[", 1)[1].split("]")[0]
        return f":{number}"

    def quit(self) -> tuple[int, str]:
        self.type(":quit")
        self.proc.stdin.close()
        code = self.proc.wait(60)
        return code, self.proc.stderr.read()


def test_the_console_runs_the_whole_bot_while_it_waits(tmp_path: Path) -> None:
    """A broadcast's progress and a digest arrive while the console waits for input;
    people from an earlier session still receive notices; :quit is clean."""
    first = _LiveConsole(tmp_path, "--user", "Ana", "--admin")
    first.wait_for("Type /start to begin")
    first.type(":as Bob")
    first.type("/subscribe Kenya")
    first.wait_for("Now following *Kenya*")
    first.type(":as Ana")
    first.type(":admin")
    first.type("/broadcast")
    first.type(first.button("Followers of Kenya"))
    mark = first.wait_for("Followers of Kenya")
    first.type("Public hearing on the access to information bill tomorrow")
    first.type(first.button("Send", after=mark + 1))
    # Nothing more is typed: the outbox sender runs while the console waits.
    first.wait_for("Broadcast finished: 1 delivered")
    first.wait_for("Public hearing on the access")  # Bob's copy, shown as it is sent
    code, errors = first.quit()
    assert code == 0 and "Traceback" not in errors, errors
    assert "Chat not found" not in "\n".join(first.lines)

    # Bob's digest comes due while the next session waits for input.
    db = sqlite3.connect(tmp_path / "ogp-bot.db")
    with db:
        db.execute(
            "UPDATE chat SET next_digest_at = '2020-01-01 00:00:00', digest_when_empty = 1 "
            "WHERE id = ?",
            (stable_id("Bob"),),
        )
    db.close()
    second = _LiveConsole(tmp_path, "--user", "Ana", "--no-demo")
    second.wait_for("Type /start to begin")
    line = second.wait_for(f"bot → chat {stable_id('Bob')}")
    assert "Your digest since" in second.lines[line]
    code, errors = second.quit()
    assert code == 0 and "Traceback" not in errors, errors
    assert "missed" not in "\n".join(second.lines)  # the scheduler's notes go to the log file
    assert (tmp_path / "ogp-bot-console.log").exists()


def test_console_languages_files_inline_and_deep_links(tmp_path: Path) -> None:
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    script = "\n".join(
        [
            ":lang es",
            "/start",
            ":lang en",
            "@bot kenya",
            ":pick 1",
            "/report KE0012",
            ":1",
            "A note",
            f":photo {photo} the signed bill",
            ":quit",
        ]
    )
    output = _console(tmp_path, script, user_name="Wanjiru")
    assert "¡Te damos la bienvenida, Wanjiru!" in output  # in her Telegram's language
    assert "(:pick N posts one of them here)" in output
    assert "you: *KE0012" in output  # the inline card, posted via the bot
    assert "Adjuntos: 1." in output  # the photo from a file became evidence
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OGP_BOT_ADMINS": "me"}, "OGP_BOT_ADMINS: 'me' is not a Telegram user id"),
        ({"OGP_BOT_DIGEST__HOUR": "25"}, "OGP_BOT_DIGEST__HOUR: Input should be less than"),
        ({"OGP_BOT_RATE_LIMITS": "fast"}, "OGP_BOT_RATE_LIMITS: a section is set one value"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_it(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OGP_BOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr


def test_admin_ids_are_read_as_people_type_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import load_settings

    for typed, ids in [("123", [123]), ("123, 456", [123, 456]), ("[7, 8]", [7, 8])]:
        monkeypatch.setenv("OGP_BOT_ADMINS", typed)
        assert load_settings().admins == ids


def test_token_problems_are_one_line(tmp_path: Path) -> None:
    from tests.test_run_polling import LoopbackTelegram, _start_bot

    with LoopbackTelegram() as telegram:
        malformed = _start_bot(telegram, tmp_path, OGP_BOT_TOKEN="garbage")
        output = malformed.communicate(timeout=60)[0]
        assert malformed.returncode == 2
        assert output.strip().splitlines() == [
            "ogp-bot: the bot token does not look like one from @BotFather (digits, a colon, "
            "then letters, digits, - and _): check OGP_BOT_TOKEN or `token`"
        ]
        assert telegram.server.calls == []  # refused before any network call
        wrong = _start_bot(telegram, tmp_path, OGP_BOT_TOKEN="654321:WRONG-TOKEN")
        output = wrong.communicate(timeout=60)[0]
        assert wrong.returncode == 2
        assert "Traceback" not in output and "WRONG-TOKEN" not in output
        assert output.strip().splitlines()[-1] == (
            "ogp-bot: Telegram rejected the bot token: check OGP_BOT_TOKEN"
        )
        assert len(output.strip().splitlines()) <= 2  # the start line, then the reason
    help_text = ogp_bot("run", "--help", db_url=None, cwd=tmp_path).stdout
    assert "OGP_BOT_TOKEN" in help_text and "@BotFather" in help_text
