"""The portal connector: legacy web portals driven through Chromium with Playwright.

``settings`` (the bots.yaml models) imports no Playwright; ``source`` and ``target`` do, and
are loaded only when a bot uses them. See :mod:`backoffice.connectors.portal.settings` for the
steps a bot declares.
"""
