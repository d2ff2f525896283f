"""Settings from config.toml and the environment.

Precedence, highest first: environment (``OGP_BOT_TOKEN``,
``OGP_BOT_DATABASE_URL``, nested ``OGP_BOT_DIGEST__HOUR``...), then the TOML
file, then defaults. The token is a ``SecretStr`` so it never shows up in a
repr, a log line or a traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = "config.toml"
CONFIG_ENV_VAR = "OGP_BOT_CONFIG"
TOKEN_PLACEHOLDER = "REPLACE-ME"  # what config.example.toml ships with
TOKEN_SHAPE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{6,}")  # a bot id, a colon, a secret


class ConfigError(Exception):
    """A configuration problem, worded as one line for the person running the bot."""


class DigestSettings(BaseModel):
    frequency: Literal["off", "daily", "weekly"] = "weekly"
    weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    hour: int = Field(default=9, ge=0, le=23)


class RateLimits(BaseModel):
    overall_per_second: float = Field(default=30, gt=0)
    private_chat_per_second: float = Field(default=1, gt=0)
    group_per_minute: float = Field(default=20, gt=0)
    max_retries: int = Field(default=5, ge=0)
    # Commands (messages and button presses) one person may send per minute before
    # the bot asks them, once, to slow down; what comes beyond is not handled.
    user_commands_per_minute: int = Field(default=30, ge=1)


class InboxSettings(BaseModel):
    # Updates of different chats handled at the same time (one at a time per chat).
    concurrency: int = Field(default=16, ge=1, le=256)
    # A transient failure (network, a locked database) is retried; an update that
    # failed this many times, or crashed the bot this many times, is set aside.
    max_attempts: int = Field(default=3, ge=1, le=20)
    # Handled updates are kept this long (for diagnosis), then deleted.
    keep_done_days: float = Field(default=7, ge=0)


class BackupSettings(BaseModel):
    # A folder for a daily copy of a SQLite database (empty: no daily backup).
    dir: str = ""
    keep: int = Field(default=14, ge=1, description="daily backups kept")


class SiteSettings(BaseModel):
    """The public static site (#15): ``ogp-bot site`` and its daily regeneration."""

    # Where the site is published, e.g. "https://tracker.example.org/" (empty: no
    # daily build, no "Public page" button on cards).
    base_url: str = ""
    # The folder the daily build writes to (relative to where the bot runs).
    out_dir: str = "site"
    # Run after each daily build, without a shell, e.g. ["rsync", "-a", "site/", "host:www/"].
    after_command: list[str] = Field(default_factory=list)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/") + "/" if value else ""


class WebhookSettings(BaseModel):
    url: str = ""
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: SecretStr | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OGP_BOT_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    token: SecretStr | None = None
    # NoDecode: the environment's text is read by _admin_ids, which accepts what
    # people type ("123", "123,456", "[123, 456]") and names the problem if not.
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    database_url: str = "sqlite:///ogp-bot.db"
    default_language: str = "en"
    default_timezone: str = "UTC"
    digest: DigestSettings = Field(default_factory=DigestSettings)
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    inbox: InboxSettings = Field(default_factory=InboxSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    log_format: Literal["text", "json"] = "text"
    # Serve Prometheus metrics on this port (0: off; needs `pip install -e ".[metrics]"`).
    metrics_port: int = Field(default=0, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Sent and dropped outbox rows are deleted this many days after they were done.
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    # Digests and reminders stop asking about a commitment this many days after its
    # action plan ended (OGP gives the end year: a plan ends on that year's last day).
    ended_plan_days: int = Field(default=365, ge=0, le=36500)

    # OGP's export (its Google Sheets CSV address): imported once a day, admins told
    # what changed. Empty: no scheduled import (``ogp-bot import`` still works).
    import_url: str = ""

    @field_validator("import_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value

    _file: Path | None = PrivateAttr(default=None)  # the TOML file these came from

    @field_validator("token", mode="before")
    @classmethod
    def _strip_token(cls, value: object) -> object:
        """A token pasted with a space or newline around it still works, so the log
        filter must look for the stripped value, the one that ends up in URLs."""
        return value.strip() if isinstance(value, str) else value

    @field_validator("admins", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, int):
            return [value]
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except ValueError:
                pass
        ids = [part for part in re.split(r"[\s,;\[\]]+", text) if part]
        bad = [part for part in ids if not re.fullmatch(r"-?\d{1,20}", part)]
        if bad:
            raise ValueError(
                f"{bad[0]!r} is not a Telegram user id: give numbers, e.g. 123 or [123, 456] "
                "(@userinfobot tells yours)"
            )
        return [int(part) for part in ids]

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def ask_after_plan_end(self) -> timedelta:
        return timedelta(days=self.ended_plan_days)

    def require_token(self) -> str:
        if (
            self.token is None
            or not self.token.get_secret_value().strip()
            or TOKEN_PLACEHOLDER in self.token.get_secret_value()
        ):
            raise ConfigError(
                "no bot token: set OGP_BOT_TOKEN in the environment or `token` in "
                "config.toml (get one from @BotFather); `ogp-bot console` needs none"
            )
        token = self.token.get_secret_value()
        if not TOKEN_SHAPE.fullmatch(token):
            # Said before any network call, and without the token itself.
            raise ConfigError(
                "the bot token does not look like one from @BotFather (digits, a colon, "
                "then letters, digits, - and _): check OGP_BOT_TOKEN or `token`"
            )
        return token


def config_path(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The config file to read, and whether someone asked for it by name."""
    if explicit:
        return Path(explicit), True
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env), True
    return Path(DEFAULT_CONFIG_FILE), False


def _describe(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    parts = [str(part) for part in first["loc"]]
    where = ".".join(parts) or "settings"
    if parts and "OGP_BOT_" + "__".join(parts).upper() in os.environ:
        where = "OGP_BOT_" + "__".join(parts).upper()  # the value came from there
        source = "environment"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting (check the spelling against config.example.toml)"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{source}: {where}: {message}{more}"


def _describe_source(error: SettingsError) -> str:
    """pydantic-settings reads structured values (lists, sections) from the environment
    as JSON; name the variable and the form it wants."""
    match = re.search(r'field "([^"]+)"', str(error))
    field_name = match.group(1) if match else "a setting"
    variable = "OGP_BOT_" + field_name.upper()
    field = Settings.model_fields.get(field_name)
    section = field is not None and isinstance(field.default_factory, type)
    if section and issubclass(field.default_factory, BaseModel):  # type: ignore[arg-type]
        first = next(iter(field.default_factory.model_fields))  # type: ignore[union-attr]
        return (
            f"{variable}: a section is set one value at a time, "
            f"e.g. {variable}__{first.upper()}=..."
        )
    return f"{variable}: not valid JSON for this setting"


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
    """Read settings, raising ConfigError with one readable line on any problem."""
    file, explicit = config_path(path)
    toml_file: Path | None = None
    if file.exists():
        try:
            with file.open("rb") as handle:
                tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{file}: cannot be read: {exc.strerror}") from None
        toml_file = file
    elif explicit:
        raise ConfigError(f"{file}: no such config file (copy config.example.toml to start)")

    class _FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=toml_file)

    try:
        settings = _FileSettings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, str(toml_file or "settings"))) from None
    except SettingsError as exc:  # a value in the environment that is not valid JSON
        raise ConfigError(_describe_source(exc)) from None
    settings._file = toml_file
    return settings


def exposed_token_warning(settings: Settings) -> str | None:
    """One line to log at start when the config file holding the token is readable
    by the file's group or by others: whoever can read the token is the bot."""
    file = settings._file
    if file is None or os.name == "nt":  # no POSIX permission bits there
        return None
    try:
        if not file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
        with file.open("rb") as handle:
            holds_token = "token" in tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if not holds_token:
        return None
    return f"{file} holds the bot token and other users can read it: run chmod 600 {file}"
