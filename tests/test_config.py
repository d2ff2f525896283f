"""Configuration: what a person running the bot sees when something is off."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings
from tests.test_operations import ogp_bot


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("OGP_BOT_TOKEN", "OGP_BOT_CONFIG", "OGP_BOT_DATABASE_URL", "OGP_BOT_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _run_unreachable(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`ogp-bot run` in a child process, with only these OGP_BOT_ settings, against a Bot
    API address where nothing listens (so it fails at its first call to Telegram)."""
    return ogp_bot(
        "run",
        db_url=f"sqlite:///{tmp_path}/x.db",
        cwd=tmp_path,
        OGP_BOT_BASE_URL="http://127.0.0.1:9/bot",
        **env,
    )


def test_defaults_without_any_file() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///ogp-bot.db"
    assert settings.token is None
    assert settings.digest.hour == 9


def test_example_config_is_valid_and_documented(repo_root) -> None:
    example = repo_root / "config.example.toml"
    settings = load_settings(example)
    assert settings.mode == "polling"
    # Every setting in the example is explained by a comment line above or beside it.
    text = example.read_text()
    assert text.count("#") > 30
    with pytest.raises(ConfigError, match="no bot token"):
        settings.require_token()  # the placeholder is not a token


def test_file_then_environment_precedence(tmp_path, monkeypatch) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('token = "1:FROM-FILE"\nadmins = [42]\n[digest]\nhour = 7\n')
    monkeypatch.setenv("OGP_BOT_DIGEST__HOUR", "6")
    settings = load_settings(config)
    assert settings.admins == [42]
    assert settings.digest.hour == 6
    assert settings.require_token() == "1:FROM-FILE"
    monkeypatch.setenv("OGP_BOT_TOKEN", "2:FROM-ENV")
    assert load_settings(config).require_token() == "2:FROM-ENV"


def test_config_file_from_environment_variable(tmp_path, monkeypatch) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text("admins = [7, 8]\n")
    monkeypatch.setenv("OGP_BOT_CONFIG", str(config))
    assert load_settings().admins == [7, 8]


def test_token_is_never_shown(tmp_path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('token = "123:SECRET-VALUE"\n')
    settings = load_settings(config)
    assert "SECRET-VALUE" not in repr(settings)
    assert "SECRET-VALUE" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("token = \n", "not valid TOML"),
        ('admins = ["bob"]\n', "admins.0"),
        ("adminz = [1]\n", "adminz: unknown setting"),
        ('default_timezone = "Mars/Olympus"\n', "unknown time zone"),
        ("[digest]\nhour = 25\n", "digest.hour"),
        ('mode = "carrier-pigeon"\n', "mode"),
    ],
)
def test_malformed_file_gives_one_clear_line(tmp_path, content, expected) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert str(config) in message


def test_cli_run_without_token_exits_with_one_line(capsys) -> None:
    code = main(["run"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("ogp-bot: no bot token: set OGP_BOT_TOKEN")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_cli_malformed_config_exits_with_one_line(tmp_path, capsys) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[digest\nhour=1\n")
    code = main(["--config", str(config), "run"])
    captured = capsys.readouterr()
    assert code == 2
    assert "not valid TOML" in captured.err
    assert captured.err.count("\n") == 1


def test_cli_missing_named_config(tmp_path, capsys) -> None:
    code = main(["--config", str(tmp_path / "nope.toml"), "migrate"])
    assert code == 2
    assert "no such config file" in capsys.readouterr().err


def test_token_is_masked_in_log_lines(tmp_path, capsys) -> None:
    import logging

    from bot.logs import setup_logging

    config = tmp_path / "c.toml"
    config.write_text('token = "123456:LEAKY-TOKEN-VALUE"\n')
    setup_logging(load_settings(config))
    log = logging.getLogger("telegram.ext.test")
    log.warning("POST https://api.telegram.org/bot%s/getMe failed", "123456:LEAKY-TOKEN-VALUE")
    try:
        raise RuntimeError("url was https://api.telegram.org/bot123456:LEAKY-TOKEN-VALUE/x")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    assert "LEAKY-TOKEN-VALUE" not in err
    assert err.count("<token>") >= 2
    logging.getLogger().handlers.clear()


def test_token_with_surrounding_whitespace_is_masked_in_debug_logs(tmp_path) -> None:
    """A token pasted with a space and a newline: the bot strips it to use it, so the
    log filter must mask the stripped value that python-telegram-bot logs in URLs."""
    result = _run_unreachable(
        tmp_path, OGP_BOT_TOKEN=" 123456:PASTED-TOKEN\n", OGP_BOT_LOG_LEVEL="DEBUG"
    )
    assert result.returncode == 2
    assert "Set Bot API URL: http://127.0.0.1:9/bot<token>" in result.stderr
    assert "PASTED-TOKEN" not in result.stderr


def test_config_file_with_token_readable_by_others_is_warned_about(tmp_path, capsys) -> None:
    import logging

    config = tmp_path / "config.toml"
    database = f"sqlite:///{tmp_path}/x.db"
    config.write_text('token = "123456:SECRET"\n')
    config.chmod(0o644)
    assert main(["--config", str(config), "--database", database, "migrate"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "chmod" in line]
    assert len(warnings) == 1
    assert "WARNING" in warnings[0] and f"chmod 600 {config}" in warnings[0]
    assert "SECRET" not in warnings[0]

    config.chmod(0o600)  # the fix it names
    assert main(["--config", str(config), "--database", database, "migrate"]) == 0
    assert "chmod" not in capsys.readouterr().err
    config.write_text("admins = [1]\n")  # no token in it: nothing to protect
    config.chmod(0o644)
    assert main(["--config", str(config), "--database", database, "migrate"]) == 0
    assert "chmod" not in capsys.readouterr().err
    logging.getLogger().handlers.clear()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_cli_run_with_telegram_unreachable_is_one_line(tmp_path, mode) -> None:
    result = _run_unreachable(
        tmp_path,
        OGP_BOT_TOKEN="123456:TEST-TOKEN",
        OGP_BOT_MODE=mode,
        OGP_BOT_WEBHOOK__URL="https://bot.example.org/telegram",
    )
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2
    assert last.startswith("ogp-bot: Telegram at http://127.0.0.1:9/bot refused"), result.stderr
    # python-telegram-bot logs its own bootstrap failure above; the token never shows.
    assert "TEST-TOKEN" not in result.stderr
