"""The README tells the truth about configuration: every bots.yaml key and every environment
variable the package reads is in it, and every one it names exists.
(The command table is checked in test_cli.py.)"""

from __future__ import annotations

import ast
import re

from backoffice.config import Config, Runner, json_schema
from backoffice.install import sample
from backoffice.rules.schema import RuleFile
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_READERS = {"get", "getenv", "setdefault", "pop"}


def word_in_readme(word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", README) is not None


def config_keys() -> dict[str, str]:
    """Every key of bots.yaml (any depth) -> the model it belongs to."""
    keys: dict[str, str] = {}
    for model, definition in [("Config", json_schema()), *json_schema()["$defs"].items()]:
        for key in definition.get("properties") or {}:
            keys.setdefault(key, model)
    return keys


def variables_read_by_the_package() -> set[str]:
    """Names passed to os.environ.get/setdefault, os.getenv, os.environ[...] and typer's envvar=."""
    found = set()
    for path in (ROOT / "backoffice").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                target = ast.unparse(node.func.value)
                if node.func.attr in ENV_READERS and target in ("os.environ", "os") or target == "os.getenv":
                    if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        found.add(node.args[0].value)
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                    found.add(node.slice.value)
            if isinstance(node, ast.keyword) and node.arg == "envvar" and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
    return found


def variables_of_the_sample() -> set[str]:
    text = sample.bots_yaml(list(sample.EXAMPLES))
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))


def test_every_bots_yaml_key_is_in_the_readme():
    missing = {key: model for key, model in config_keys().items() if not word_in_readme(key)}
    assert not missing, f"bots.yaml keys the README does not mention (key: model): {missing}"


def test_every_environment_variable_is_in_the_readme():
    read = variables_read_by_the_package()
    assert {"BACKOFFICE_CONFIG", "BACKOFFICE_BROWSER", "BACKOFFICE_OCR_LANGUAGES"} <= read
    missing = sorted(name for name in read | variables_of_the_sample() if not word_in_readme(name))
    assert not missing, f"environment variables the README does not mention: {missing}"


def test_every_backoffice_variable_the_readme_names_exists():
    named = set(re.findall(r"\bBACKOFFICE_[A-Z0-9_]+\b", README))
    # "BACKOFFICE_IMAP_HOST, _USER, _PASSWORD" names three through one prefix
    unknown = sorted(named - variables_read_by_the_package() - variables_of_the_sample())
    assert not unknown, f"the README names variables nothing reads: {unknown}"


def test_every_runner_key_the_readme_names_exists():
    named = set(re.findall(r"`runner\.(\w+)`", README)) | set(re.findall(r"runner: \{([^}]*)\}", README))
    keys = {k.split(":")[0].strip() for entry in named for k in entry.split(",")}
    assert keys and not keys - set(Runner.model_fields), sorted(keys - set(Runner.model_fields))
    # the YAML examples are bots.yaml files, rule files, or a bot's `source:` alone
    top = set(re.findall(r"(?m)^(\w+):", "\n".join(re.findall(r"```yaml\n(.*?)```", README, re.S))))
    known = set(Config.model_fields) | set(RuleFile.model_fields) | {"source"}
    assert top and not top - known, sorted(top - known)
