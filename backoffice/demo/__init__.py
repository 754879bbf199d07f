"""Demo material: sample documents and fixtures for ``backoffice demo``."""
