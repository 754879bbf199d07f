"""bots.yaml: pydantic models, ``${ENV_VAR}`` secrets, and errors that name file, line and field.

``load_config(path)`` returns a :class:`Config` or raises :class:`ConfigError` listing every
problem as ``bots.yaml:14: bots[0].source.path: folder does not exist``.

Paths: ``workspace`` and ``rules`` are relative to the directory of bots.yaml; the paths a
connector names (a drop folder, an output file) are relative to the workspace.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    SecretStr,
    Tag,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from backoffice import connectors  # the table of built-in connectors; each module is imported when a bot uses it
from backoffice.errors import ConfigError
from backoffice.logs.redact import register_secret
from backoffice.paths import inside
from backoffice.yamlfile import describe_errors, field_path, parse_yaml

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# ${VAR} values are masked in logs when the variable or the key it fills is named like a secret.
SECRET_NAME = re.compile(r"(?i)pass|secret|token|key|cred|auth")
EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomConnector(BaseModel):
    """A connector named by dotted path; its own Settings model validates the other keys."""

    model_config = ConfigDict(extra="allow", frozen=True)
    builtin: ClassVar[dict[str, str]] = {}
    interface: ClassVar[str] = ""  # Source or Target, of backoffice.connectors.base
    kind: str = Field(description="package.module:Class of a third-party connector.")

    @field_validator("kind")
    @classmethod
    def _dotted(cls, value: str) -> str:  # every kind is checked here, a built-in one too
        if value not in cls.builtin and "." not in value and ":" not in value:
            raise ValueError(
                f"unknown kind {value!r}: use one of {', '.join(sorted(cls.builtin))} "
                "or a dotted path package.module:Class"
            )
        cls.connector(value)
        return value

    @classmethod
    def connector(cls, kind: str) -> Any:
        """The connector class ``kind`` names, its module imported now; ValueError says what is wrong."""
        from backoffice.connectors import base

        try:
            found = connectors.load_class(kind, cls.builtin)
        except Exception as exc:  # a third-party module may fail to import in any way
            raise ValueError(str(exc)) from exc
        interface = getattr(base, cls.interface)
        if not (isinstance(found, type) and issubclass(found, interface) and hasattr(found, "Settings")):
            raise ValueError(f"{kind} is not a {cls.interface} class with a Settings model")
        return found


class CustomSource(CustomConnector):
    builtin: ClassVar[dict[str, str]] = connectors.SOURCES
    interface: ClassVar[str] = "Source"


class CustomTarget(CustomConnector):
    builtin: ClassVar[dict[str, str]] = connectors.TARGETS
    interface: ClassVar[str] = "Target"


def _connector(kinds: type[CustomConnector]) -> PlainValidator:
    """Validate a source or target with the Settings model of the connector its ``kind`` names,
    importing that connector's module only now: a deployment loads the connectors its bots use."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        from backoffice.connectors.base import Settings

        if isinstance(value, Settings):
            return value
        kind = kinds.model_validate(value).kind  # a mapping with a known kind or a dotted path
        return kinds.connector(kind).Settings.model_validate(value, context=info.context)

    return PlainValidator(validate)


def _notify(value: Any, info: ValidationInfo) -> Any:
    from backoffice.connectors.smtp import NotifySettings

    return value if value is None else NotifySettings.model_validate(value, context=info.context)


# The settings of a source or a target: the Settings model of the connector its kind names, found
# when bots.yaml is read (json_schema() lists every built-in one); the notifier's, also when used.
SourceSettings = Annotated[Any, _connector(CustomSource)]
TargetSettings = Annotated[Any, _connector(CustomTarget)]
NotifySettings = Annotated[Any, PlainValidator(_notify)]


class RetryPolicy(Model):
    """How application errors (a system down) are retried: exponential backoff with jitter."""

    max_attempts: int = Field(5, ge=1, le=1000, description="Attempts before the item goes to the exception queue.")
    backoff_seconds: float = Field(30.0, gt=0, description="Delay before the first retry; doubles each time.")
    max_backoff_seconds: float = Field(3600.0, gt=0, description="The longest delay between two attempts.")
    jitter: float = Field(0.5, ge=0, le=1, description="Fraction of the delay that is randomised (0: none).")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** max(attempt - 1, 0))
        return base * (1 - self.jitter * (rng or random).random())


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessCalendar(Model):
    """The days a schedule may fire on, in the schedule's time zone."""

    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], description="Days of the week that are business days."
    )
    holidays: list[_dt.date] = Field(default_factory=list, description="Dates on which nothing fires (YYYY-MM-DD).")


class Bot(Model):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", description="Unique name of the bot.")
    description: str = Field("", description="What this bot does, for people.")
    enabled: bool = Field(True, description="A disabled bot is validated but never run.")
    schedule: str | None = Field(
        None, description="When to collect new work: a cron expression ('*/5 * * * *') or 'every 10m'."
    )
    timezone: str = Field("UTC", description="Time zone of the cron schedule and the calendar (IANA name).")
    calendar: BusinessCalendar | None = Field(
        None, description="Fire only on business days: weekdays, minus listed holidays (default: every day)."
    )
    jitter_seconds: float = Field(0.0, ge=0, description="Fire up to this many seconds after each tick (spreads load).")
    misfire: Literal["once", "skip", "all"] = Field(
        "once",
        description="Ticks missed by more than misfire_grace_seconds (runner down, previous run still busy): "
        "once runs them as one run, skip drops them, all runs each of them in turn.",
    )
    misfire_grace_seconds: float = Field(60.0, ge=0, description="How late a tick may fire and still count as on time.")
    source: SourceSettings = Field(description="Where work comes from.")
    kind: Literal["pipeline", "python"] = Field(
        "pipeline", description="pipeline: extractor, rules and targets as declared here; python: the handler "
        "function does the work (README \"Bots in Python\")."
    )
    handler: str | None = Field(None, description="A python bot's handler, package.module:function (made by @bot).")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="A python bot's settings, checked by its handler's pydantic model."
    )
    extractor: Literal["auto", "invoice", "timesheet", "order"] = Field(
        "invoice",
        description="Which kind of document to read: invoice (credit notes included), timesheet, order, or auto "
        "(decided per document from its content).",
    )
    rules: str | None = Field(None, description="The rule file, relative to bots.yaml.")
    templates: str | None = Field(
        None, description="A folder of layout templates (ours or invoice2data's YAML/JSON), relative to bots.yaml; "
        "a matching template is tried before template-free extraction."
    )

    @field_validator("templates")
    @classmethod
    def _templates_exist(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("config_dir")
        if value is not None and base is not None and not inside(base, value).is_dir():
            raise ValueError(f"templates folder does not exist: {inside(base, value)}")
        return value
    targets: list[TargetSettings] = Field(default_factory=list, description="Where results are posted, in order.")
    retry: RetryPolicy = Field(default_factory=RetryPolicy, description="Retries of application errors.")

    @field_validator("handler")
    @classmethod
    def _handler(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Importable now (from installed packages or the folder of bots.yaml) and made by @bot."""
        from backoffice.api import load_handler

        if value is not None:
            load_handler(value, (info.context or {}).get("config_dir"))
        return value

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Checked by the handler's model; each problem names the setting (settings.routes.invoice)."""
        from backoffice.api import load_handler

        handler = info.data.get("handler")
        if handler is None:
            return value
        try:
            load_handler(handler, (info.context or {}).get("config_dir")).validate(value)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"bot {info.data.get('name', '?')}: {problems}") from None
        return value

    @model_validator(mode="after")
    def _python_or_pipeline(self) -> Bot:
        if self.kind == "python" and self.handler is None:
            raise ValueError("kind: python needs a handler: package.module:function")
        if self.kind != "python" and (self.handler is not None or self.settings):
            raise ValueError("handler and settings belong to a bot of kind: python")
        if self.kind == "python" and self.rules is not None:
            raise ValueError("rules: a python bot applies no rule file (its handler decides)")
        return self

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is None or EVERY.match(value.strip()):
            return value
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a cron expression or 'every N[s|m|h|d]': {exc}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)") from None
        return value

    @field_validator("rules")
    @classmethod
    def _rules_exist(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("config_dir")
        if value is not None and base is not None and not inside(base, value).is_file():
            raise ValueError(f"rule file does not exist: {inside(base, value)}")
        return value


class Connection(Model):
    url: str = Field(description="Connection URL; use ${ENV_VAR} for secrets.")
    username: str | None = Field(None, description="User name, when not in the URL.")
    password: SecretStr | None = Field(None, description="Password; write ${ENV_VAR}, never the secret itself.")


class Runner(Model):
    lease_seconds: float = Field(300.0, gt=0, description="How long a claimed item stays leased without a heartbeat.")
    poll_seconds: float = Field(5.0, gt=0, description="How often sources are polled when no schedule says otherwise.")
    name: str | None = Field(None, description="This runner's name in the journal (default: host-pid).")
    leader_lease_seconds: float = Field(
        15.0, gt=0, description="The runner firing the schedules holds its lease this long (renewed every "
        "third of it); when it dies another runner takes over within this time.",
    )
    shutdown_seconds: float = Field(
        30.0, ge=0, description="On SIGTERM, how long the current item may take to finish before it is released."
    )
    metrics_port: int | None = Field(
        None, ge=0, le=65535, description="Serve Prometheus metrics on 127.0.0.1:PORT/metrics (0: any free port)."
    )
    metrics_host: str = Field("127.0.0.1", description="Address the metrics endpoint listens on.")
    workers: int = Field(
        0, ge=0, description="Worker processes for CPU-bound extraction (2 or more; 0 or 1: in the runner). "
        "Set it to the number of cores on a machine that reads many PDFs.",
    )
    log_max_mb: float = Field(
        100.0, gt=0, description="A run's log (logs/run-<id>.jsonl) rolls over at this size; a runner serving "
        "for months writes one run.",
    )
    log_backups: int = Field(5, ge=0, description="Rolled-over parts of a run's log kept (.1 is the newest).")
    log_keep_days: float = Field(30.0, gt=0, description="Run logs not written to for this long are deleted.")

    def log_options(self) -> dict[str, float]:
        """run_log()'s options."""
        return {"max_bytes": int(self.log_max_mb * 1_000_000), "backups": self.log_backups,
                "keep_days": self.log_keep_days}  # fmt: skip


SENSITIVE_FIELDS = ("iban", "bic", "bank_account", "seller_vat_id", "grand_total")


class ApprovalRole(Model):
    approve_up_to: Decimal | None = Field(
        None, ge=0, description="The largest amount holders of this role approve (none: no limit); a role with a "
        "higher limit approves what this one would.")


class Approvals(Model):
    """Four eyes: who approves what (see README "Approvals")."""

    sensitive_fields: list[str] = Field(
        default_factory=lambda: list(SENSITIVE_FIELDS),
        description="Fields whose correction always needs another person's approval, whatever the amount.")
    roles: dict[str, ApprovalRole] = Field(
        default_factory=dict, description="Approval roles (the names rule files route to) and their limits.")


class Config(Model):
    """The whole of bots.yaml."""

    workspace: str = Field("work", description="Queue, stored files, logs and outputs; relative to bots.yaml.")
    queue: str | None = Field(None, description="Queue URL; default sqlite:///<workspace>/queue.db.")
    runner: Runner = Field(default_factory=Runner, description="Settings of `backoffice run`.")
    connections: dict[str, Connection] = Field(default_factory=dict, description="Named connections.")
    notify: NotifySettings | None = Field(None, description="Mail supervisors a digest of new exception items.")
    bots: list[Bot] = Field(description="The bots of this deployment.")
    approvals: Approvals = Field(default_factory=Approvals, description="Four eyes: sensitive fields, approval roles.")

    _path: Path = PrivateAttr(default=Path("bots.yaml"))

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [b.name for b in self.bots]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"bot names must be unique: {', '.join(duplicated)}")
        return self

    @property
    def path(self) -> Path:
        return self._path

    @property
    def config_dir(self) -> Path:
        return self._path.parent

    @property
    def workspace_path(self) -> Path:
        return inside(self.config_dir, self.workspace)

    @property
    def queue_url(self) -> str:
        return self.queue or f"sqlite:///{self.workspace_path / 'queue.db'}"

    def bot(self, name: str) -> Bot:
        for bot in self.bots:
            if bot.name == name:
                return bot
        raise KeyError(name)

    def rules_path(self, bot: Bot) -> Path | None:
        return inside(self.config_dir, bot.rules) if bot.rules else None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of bots.yaml, for editors: every built-in connector's settings included."""
    schema = _with_every_connector().model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "backoffice bots.yaml"
    return schema


def _with_every_connector() -> type[Config]:
    """Config for the schema alone, its sources and targets the union of every built-in
    connector's settings (their modules imported here) and of a third-party one."""
    from backoffice.connectors.smtp import NotifySettings as Notify

    # Types made at run time, which a type checker cannot follow: their makers as Any.
    annotated: Any = Annotated
    either: Any = Union
    many: Any = list

    def union(kinds: type[CustomConnector]) -> Any:
        tagged = [annotated[connectors.load_class(kind, kinds.builtin).Settings, Tag(kind)] for kind in kinds.builtin]
        return annotated[either[(*tagged, annotated[kinds, Tag("custom")])], _kind_of(kinds.builtin)]

    def said(model: type[BaseModel], name: str) -> str | None:
        return model.model_fields[name].description

    bot = create_model(
        "Bot",
        __base__=Bot,
        source=(union(CustomSource), Field(description=said(Bot, "source"))),
        targets=(many[union(CustomTarget)], Field(default_factory=list, description=said(Bot, "targets"))),
    )
    return create_model(
        "Config",
        __base__=Config,
        __doc__=Config.__doc__,
        notify=(either[Notify, None], Field(None, description=said(Config, "notify"))),
        bots=(many[bot], Field(description=said(Config, "bots"))),
    )


def _kind_of(table: dict[str, str]) -> Discriminator:
    def tag(value: Any) -> str:
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        return kind if kind in table else "custom"

    return Discriminator(tag)


# -- loading ---------------------------------------------------------------------------------
def load_config(path: Path | str, *, check_paths: bool = True, workspace: Path | None = None) -> Config:
    """Read and validate bots.yaml; raise ConfigError naming file:line: field for every problem.

    ``check_paths`` checks that folders and files it names exist; ``workspace`` replaces the
    file's workspace (the demo runs the sample deployment in a fresh one).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    data, positions = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the file must be a mapping with a 'bots' list")
    if workspace is not None:
        data["workspace"] = str(Path(workspace).resolve())
    problems: list[str] = []
    data = _substitute_env(data, (), positions, path, problems)
    context: dict[str, Any] = {"config_dir": path.parent}
    if isinstance(data.get("connections") or {}, dict):
        context["connections"] = set(data.get("connections") or {})  # targets check the names they use
    if check_paths:
        workspace = data.get("workspace", "work")
        context["workspace"] = inside(path.parent, workspace) if isinstance(workspace, str) else None
    try:
        config = Config.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(sorted(problems + describe_errors(exc, path, positions), key=_line_of)) from None
    if problems:
        raise ConfigError(problems)
    config._path = path
    return config


def _line_of(problem: str) -> int:
    match = re.match(r"[^:]*:(\d+):", problem)
    return int(match.group(1)) if match else 0


def _substitute_env(value: Any, at: tuple, positions: dict, path: Path, problems: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _substitute_env(v, (*at, k), positions, path, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, (*at, i), positions, path, problems) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found is None and default is None:
            line = positions.get(at, 1)
            problems.append(f"{path}:{line}: {field_path(at)}: environment variable {name} is not set")
            return ""
        if found is None:
            return default  # a default written in the file is no secret
        if SECRET_NAME.search(name) or (at and SECRET_NAME.search(str(at[-1]))):
            register_secret(found)
        return found

    return ENV_REF.sub(replace, value)
