"""Rule files: checks a Document must pass before it is posted, and the Verdict they give."""

from backoffice.rules.engine import Outcome, RuleSet, Verdict, load_rules

__all__ = ["Outcome", "RuleSet", "Verdict", "load_rules"]
