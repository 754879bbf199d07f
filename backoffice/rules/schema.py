"""The rule-file format (YAML), validated by pydantic. Paths and lines come from config.parse_yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Stable identifier, shown with failures.")
    description: str = Field("", description="What the rule means, for people.")
    when: str | None = Field(None, description="Expression; the rule applies only when it is true.")
    check: str = Field(description="Expression that must be true.")
    message: str = Field(description="Shown when the check fails; {field} inserts a value.")
    severity: Literal["error", "warning"] = Field(
        "error", description="error stops the item (exception queue); warning is recorded only."
    )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["invoice", "credit_note"] = Field("invoice", description="The document kind these rules read.")
    required: list[str] = Field(default_factory=list, description="Fields that must have a value.")
    rules: list[Rule] = Field(default_factory=list, description="Checks, evaluated in order.")
