"""The staff web process: the console (pages for clinic staff) and the JSON API over handoffs.

`python -m bot.staff` serves both on STAFF_PORT (the launcher starts it with the
servers); its other commands add, disable and enable staff accounts, issue, revoke and
list API tokens, export unanswered messages and purge old records (see
`bot/staff/__main__.py`).
"""
