"""The sample deployment (bots.yaml fragments, rule files, systemd units) and the sample Python
bot, :mod:`backoffice.samples.mailroom`, which bots.yaml names as its handler."""
