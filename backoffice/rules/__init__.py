"""Rule files: what a Document must pass, what to look up and set, where to route it, and the
Verdict that explains each decision. See :mod:`backoffice.rules.schema` for the format."""

from backoffice.rules.engine import RuleSet
from backoffice.rules.loader import load_rules
from backoffice.rules.verdict import Outcome, Verdict

__all__ = ["Outcome", "RuleSet", "Verdict", "load_rules"]
