"""Sample document kinds written as plugins would be, outside the readers of backoffice.documents;
bots.yaml, ``backoffice extract --kind`` and rule files name them by dotted path
(``backoffice.samples.kinds.delivery_note:KIND``)."""
