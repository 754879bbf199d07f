"""The supervisor UI's views: each answers HTML or JSON (see :mod:`backoffice.web.render`)."""
