"""``backoffice doctor``: are the system parts there? Each :class:`Check` says what it found or
what is missing, with the command that installs it on Debian/Ubuntu, Fedora and macOS.

Needed: a Chromium (portal bots; the UI's tests), tesseract with the languages OCR reads
(``BACKOFFICE_OCR_LANGUAGES``), and every database bots.yaml names (the queue, connections and
SQL targets on PostgreSQL or MariaDB), which must answer. Dovecot is only for the IMAP tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from backoffice.errors import BackofficeError, ConfigError
from backoffice.logs.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from backoffice.config import Config

PYTHON = sys.executable  # Playwright's installer must run in backoffice's own environment
CHROMIUM_FIX = {
    "debian": f"sudo apt-get install chromium-headless-shell  (Ubuntu: {PYTHON} -m playwright install --with-deps chromium)",
    "fedora": "sudo dnf install chromium",
    "macos": f"{PYTHON} -m playwright install chromium",
}
TESSERACT_FIX = {
    "debian": "sudo apt-get install tesseract-ocr {debian}",
    "fedora": "sudo dnf install tesseract {fedora}",
    "macos": "brew install tesseract tesseract-lang",
}
DOVECOT_FIX = {
    "debian": "sudo apt-get install dovecot-imapd",
    "fedora": "sudo dnf install dovecot",
    "macos": "brew install dovecot",
}
DATABASE_FIX = {
    "postgresql": {
        "debian": "sudo apt-get install postgresql",
        "fedora": "sudo dnf install postgresql-server && sudo postgresql-setup --initdb && sudo systemctl start postgresql",
        "macos": "brew install postgresql@16 && brew services start postgresql@16",
    },
    "mariadb": {
        "debian": "sudo apt-get install mariadb-server",
        "fedora": "sudo dnf install mariadb-server && sudo systemctl start mariadb",
        "macos": "brew install mariadb && brew services start mariadb",
    },
}


@dataclass
class Check:
    name: str
    ok: bool
    found: str  # what was found, or what is wrong
    needed: bool = True  # False: only for the tests; a missing part does not fail the doctor
    fix: dict[str, str] = field(default_factory=dict)  # platform -> install command


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok or not c.needed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def diagnose(config_path: Path | None, *, config_given: bool = False) -> Report:
    """Every check; the databases of ``config_path`` when it exists (a missing file fails only
    when it was named on purpose)."""
    checks = [check_python(), check_chromium(), *check_tesseract(), check_dovecot()]
    if config_path is not None and Path(config_path).is_file():
        checks += check_databases(Path(config_path))
    elif config_path is not None and config_given:
        checks.append(Check("bots.yaml", False, f"{config_path}: no such file"))
    return Report(checks)


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("python", sys.version_info >= (3, 11), f"{version} at {sys.executable}")


def check_chromium() -> Check:
    from playwright.sync_api import sync_playwright

    from backoffice.browser import BrowserMissing, find_executable

    try:
        with sync_playwright() as playwright:
            found = find_executable(playwright) or playwright.chromium.executable_path
    except BrowserMissing as exc:
        return Check("chromium", False, exc.reason, fix=CHROMIUM_FIX)
    except Exception as exc:  # Playwright's driver did not start: say why, do not crash the doctor
        return Check("chromium", False, f"Playwright could not start: {exc}", fix=CHROMIUM_FIX)
    return Check("chromium", True, found)


def ocr_languages() -> list[str]:
    """The languages OCR reads with: ``BACKOFFICE_OCR_LANGUAGES`` as backoffice.documents.ocr reads
    it. ``auto`` (the default) reads a first pass in English, then may pick any language the
    reader knows, and turns pages lying on their side with the orientation pack (``osd``)."""
    from backoffice.documents.ocr import FIRST_PASS, LANGUAGES
    from backoffice.documents.ocr_language import CODES

    setting = os.environ.get("BACKOFFICE_OCR_LANGUAGES", LANGUAGES)
    if setting == "auto":
        return list(dict.fromkeys([FIRST_PASS, *CODES.values(), "osd"]))
    return [lang for lang in setting.split("+") if lang]


def check_tesseract() -> list[Check]:
    languages = ocr_languages()
    fix = _tesseract_fix(languages)
    program = shutil.which("tesseract")
    if program is None:
        return [Check("tesseract", False, "the tesseract program is not on PATH (scans cannot be read)", fix=fix)]
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=True)
        version = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return [Check("tesseract", False, f"{program} does not run: {exc}", fix=fix)]
    first = (version.stdout or version.stderr).splitlines()
    installed = {line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()}
    missing = [lang for lang in languages if lang not in installed]
    checks = [Check("tesseract", True, f"{first[0] if first else 'tesseract'} at {program}")]
    if missing:
        text = f"missing {', '.join(missing)} of BACKOFFICE_OCR_LANGUAGES={'+'.join(languages)}"
        checks.append(Check("tesseract languages", False, text, fix=_tesseract_fix(missing)))
    else:
        checks.append(Check("tesseract languages", True, "+".join(languages)))
    return checks


def _tesseract_fix(languages: list[str]) -> dict[str, str]:
    debian = " ".join(f"tesseract-ocr-{lang.lower().replace('_', '-')}" for lang in languages)
    fedora = " ".join(f"tesseract-langpack-{lang.lower()}" for lang in languages)
    return {name: command.format(debian=debian, fedora=fedora).strip() for name, command in TESSERACT_FIX.items()}


def check_dovecot() -> Check:
    found = shutil.which("dovecot")  # where the IMAP tests look for it
    if found is None:
        return Check("dovecot", False, "not on PATH (only the IMAP integration tests need it)", False, DOVECOT_FIX)
    return Check("dovecot", True, f"{found} (for the IMAP integration tests)", needed=False)


def check_databases(config_path: Path) -> list[Check]:
    """Connect to every PostgreSQL and MariaDB database bots.yaml names."""
    from backoffice.config import load_config

    try:
        config = load_config(config_path, check_paths=False)
    except ConfigError as exc:
        return [Check("bots.yaml", False, "; ".join(exc.problems))]
    checks = []
    for where, url, username, password in _databases(config):
        family = "postgresql" if url.partition(":")[0].lower() in ("postgresql", "postgres") else "mariadb"
        checks.append(_connect(f"{family} ({where})", family, url, username, password, config.workspace_path))
    return checks


def _databases(config: Config) -> list[tuple[str, str, str | None, str | None]]:
    found: list[tuple[str, str, str | None, str | None]] = []
    if config.queue and config.queue.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(config.queue)  # ?schema= is ours, not libpq's
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "schema"])
        found.append(("queue", urlunsplit(parts._replace(query=query)), None, None))
    for name, connection in config.connections.items():
        password = connection.password.get_secret_value() if connection.password else None
        found.append((f"connection {name}", connection.url, connection.username, password))
    for bot in config.bots:
        for target in bot.targets:
            url = getattr(target, "url", None)
            if target.kind == "sql" and isinstance(url, str):
                found.append((f"bot {bot.name}", url, None, None))
    servers = ("postgresql", "postgres", "mariadb", "mysql")
    return [entry for entry in found if entry[1].partition(":")[0].lower() in servers]


def _connect(name: str, family: str, url: str, username: str | None, password: str | None, workspace: Path) -> Check:
    from backoffice.connectors.sql_dialects import dialect_for

    dialect = dialect_for(url, workspace, username, password)
    try:
        dialect.connect().close()
    except (OSError, BackofficeError, dialect.module.Error) as exc:
        reason = " ".join(str(exc).split())
        return Check(name, False, redact(f"{dialect.describe()} does not answer: {reason}"), fix=DATABASE_FIX[family])
    return Check(name, True, redact(dialect.describe()))


def render(console: Console, report: Report) -> None:
    """Print one line per check and, under a missing part, the commands that install it."""
    for check in report.checks:
        word, colour = ("ok", "green") if check.ok else ("missing", "red" if check.needed else "yellow")
        console.print(f"[{colour}]{word:>8}[/] {check.name}: ", end="")
        console.print(check.found, markup=False, highlight=False, soft_wrap=True)
        if not check.ok:
            for platform, command in check.fix.items():
                console.print(f"{'':>10} {platform}: {command}", markup=False, highlight=False, soft_wrap=True)
    verdict = "[green]everything needed is there[/]" if report.ok else "[red]a needed part is missing[/]"
    console.print(verdict)
