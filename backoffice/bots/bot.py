"""A Bot as the runner uses it: its configured source, rule set and targets, built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from backoffice import connectors
from backoffice.api import Handler, load_handler
from backoffice.config import Bot as BotConfig
from backoffice.config import Config
from backoffice.connectors.base import Context, Source, Target
from backoffice.errors import ConfigError
from backoffice.queue.files import FileStore
from backoffice.documents.templates import load_templates
from backoffice.paths import inside
from backoffice.rules import RuleSet, load_rules

log = logging.getLogger(__name__)


@dataclass
class Bot:
    config: BotConfig
    context: Context
    source: Source
    targets: list[Target]
    rules: RuleSet | None = None
    rules_error: str | None = None
    templates: list | None = None  # layout templates tried before template-free extraction
    templates_dir: Path | None = None  # where they were loaded from (a process of its own loads them again)
    extras: dict = field(default_factory=dict)
    handler: Handler | None = None  # a python bot's handler (kind: python), called instead of the stages
    settings: BaseModel | None = None  # its settings, validated by the handler's model

    @property
    def name(self) -> str:
        return self.config.name

    def paused_until(self) -> float | None:
        """While any target is paused (its circuit is open), the monotonic time it resumes."""
        pauses = [p for p in (t.paused_until() for t in self.targets) if p is not None]
        return max(pauses) if pauses else None

    def close(self) -> None:
        for connector in (self.source, *self.targets):
            connector.close()


def build_bots(config: Config, files: FileStore, names: list[str] | None = None) -> dict[str, Bot]:
    """The enabled bots (or the named ones), connected. A broken rule file does not stop the
    bot: its items go to the exception queue with the rule file's error as the reason."""
    unknown = sorted(set(names or ()) - {b.name for b in config.bots})
    if unknown:
        raise ConfigError(f"{config.path}: no bot named {', '.join(unknown)}")
    bots = {}
    for bot_config in config.bots:
        if (names and bot_config.name not in names) or (not names and not bot_config.enabled):
            continue
        context = Context(
            bot=bot_config.name,
            workspace=config.workspace_path,
            files=files,
            connections=dict(config.connections),
            max_attempts=bot_config.retry.max_attempts,
        )
        source = connectors.load_class(bot_config.source.kind, connectors.SOURCES)(bot_config.source, context)
        targets = [connectors.load_class(t.kind, connectors.TARGETS)(t, context) for t in bot_config.targets]
        bot = Bot(bot_config, context, source, targets)
        if bot_config.handler is not None:  # checked when bots.yaml was read; imported again here
            bot.handler = load_handler(bot_config.handler, config.config_dir)
            bot.settings = bot.handler.validate(bot_config.settings)
        rules_path = config.rules_path(bot_config)
        if rules_path is not None:
            try:
                bot.rules = load_rules(rules_path)
            except ConfigError as exc:
                bot.rules_error = str(exc)
                log.error("rule file of bot %s is invalid: %s", bot.name, exc, extra={"bot": bot.name})
        if bot_config.templates:  # a template file that does not parse stops the start, naming it
            bot.templates_dir = inside(config.config_dir, bot_config.templates)
            bot.templates = load_templates(bot.templates_dir)
        bots[bot.name] = bot
    return bots
