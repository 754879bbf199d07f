"""Setting a deployment up: ``backoffice init`` (the packaged sample deployment and systemd unit
files, :mod:`.sample` and :mod:`.systemd`) and ``backoffice doctor`` (the system parts,
:mod:`.doctor`)."""
