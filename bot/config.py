"""Settings from config.toml and the environment.

Precedence, highest first: environment (``OGP_BOT_TOKEN``,
``OGP_BOT_DATABASE_URL``, nested ``OGP_BOT_DIGEST__HOUR``...), then the TOML
file, then defaults. The token is a ``SecretStr`` so it never shows up in a
repr, a log line or a traceback.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = "config.toml"
CONFIG_ENV_VAR = "OGP_BOT_CONFIG"
TOKEN_PLACEHOLDER = "REPLACE-ME"  # what config.example.toml ships with


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
    admins: list[int] = Field(default_factory=list)
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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Sent and dropped outbox rows are deleted this many days after they were done.
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
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
        return self.token.get_secret_value()


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
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting (check the spelling against config.example.toml)"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{source}: {where}: {message}{more}"


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
