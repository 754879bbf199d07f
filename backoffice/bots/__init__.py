"""Bots and the runner that drives them: claim -> handle -> complete."""

from backoffice.bots.bot import Bot, build_bots
from backoffice.bots.runner import Interrupted, Runner, RunSummary

__all__ = ["Bot", "Interrupted", "RunSummary", "Runner", "build_bots"]
