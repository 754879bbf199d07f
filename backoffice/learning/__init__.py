"""Learning from people's corrections: the second invoice from a vendor is read right.

::

    item done after a person corrected/confirmed it ──learn──▶ learned layout (queue database)
    new file ──reader──▶ Document ──learned layout it fits──▶ fields read there (method learned),
                                                              disagreements marked for review

Modules: :mod:`~backoffice.learning.fingerprint` (a page's fixed words and positions, and the
index that matches them), :mod:`~backoffice.learning.layout` (what is kept),
:mod:`~backoffice.learning.locate` (find a value on a page, read one where a rule says),
:mod:`~backoffice.learning.table` (a line table's columns, learned and read again),
:mod:`~backoffice.learning.desk` (a person's correction from a script, line items included),
:mod:`~backoffice.learning.learn` (who may teach, learn, revise, drop),
:mod:`~backoffice.learning.apply` (read with a learned layout), :mod:`~backoffice.learning.store`
(memory and SQL storage with a journal), :mod:`~backoffice.learning.hooks` (the runner's
calls), :mod:`~backoffice.learning.export` (as a template).
"""
