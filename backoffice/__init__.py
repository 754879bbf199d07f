"""backoffice: robotic process automation for back-office work.

Source -> WorkItem (queued) -> Extractor -> Document -> rule file -> Verdict -> Target,
with the work queue recording every step.
"""

__version__ = "0.1.0"
