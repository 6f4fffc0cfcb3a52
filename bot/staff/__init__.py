"""The staff web process: a token-protected JSON API over the handoff records.

`python -m bot.staff` serves it on STAFF_PORT (the launcher starts it with the servers).
"""
