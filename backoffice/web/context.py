"""What the supervisor UI works with: the deployment, its queue, users, files and page images."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from backoffice.config import Config
from backoffice.errors import BusinessError, ConfigError
from backoffice.mail.send import SmtpServer
from backoffice.queue.base import Store
from backoffice.queue.files import FileStore
from backoffice.rules import RuleSet, load_rules
from backoffice.rules.approvals import Policy
from backoffice.web.images import PageImages
from backoffice.web.oidc import OidcSettings
from backoffice.web.throttle import Limits
from backoffice.web.query import Finder, open_finder
from backoffice.web.users import UserStore

log = logging.getLogger(__name__)


@dataclass
class Settings:
    session_seconds: float = 8 * 3600
    idle_seconds: float = 30 * 60  # a session unused this long ends
    secure_cookies: bool = True
    smtp: SmtpServer | None = None  # reject may reply to the sender when set
    throttle: Limits = field(default_factory=Limits)
    hash_threads: int = max(1, (os.cpu_count() or 2) // 2)  # password checks at once, off the event loop
    oidc: OidcSettings | None = None  # sign-in with an OpenID provider, when set


@dataclass
class Workspace:
    config: Config
    store: Store
    users: UserStore
    files: FileStore
    images: PageImages
    finder: Finder
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], float] = time.time
    _rules: dict[str, tuple[float, RuleSet]] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, config: Config, store: Store, settings: Settings | None = None,
             users: UserStore | None = None) -> Workspace:  # fmt: skip
        files = FileStore(config.workspace_path / "files")
        if users is None:
            users = store.users()
        images = PageImages(files, config.workspace_path / "cache" / "pages")
        return cls(config, store, users, files, images, open_finder(store), settings or Settings())

    @property
    def policy(self) -> Policy:
        """The deployment's four-eyes settings (bots.yaml ``approvals``)."""
        return Policy.of(self.config)

    def rules_for(self, bot_name: str) -> RuleSet | None:
        """The bot's rule set, read again when its file changed; BusinessError when invalid."""
        try:
            bot = self.config.bot(bot_name)
        except KeyError:
            raise BusinessError(f"bot {bot_name} is not in {self.config.path.name}", code="unknown-bot") from None
        path = self.config.rules_path(bot)
        if path is None:
            return None
        mtime = Path(path).stat().st_mtime if Path(path).exists() else 0.0
        cached = self._rules.get(bot_name)
        if cached is None or cached[0] != mtime:
            try:
                cached = (mtime, load_rules(path))
            except ConfigError as exc:
                raise BusinessError(f"rule file is invalid: {exc}", code="rules-invalid") from exc
            self._rules[bot_name] = cached
        return cached[1]

    def close(self) -> None:
        self.finder.close()
        self.users.close()
