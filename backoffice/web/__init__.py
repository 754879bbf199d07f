"""The supervisor UI: the exception queue in a browser. Not built yet; the CLI's `queue`
commands are the supervisor's tools until it is."""
