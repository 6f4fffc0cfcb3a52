"""The assistant's own database: handoff records, their schema migrations and engines.

Rasa keeps conversations in its tracker store; this package owns only the tables its
models declare, even when both live in the same SQLite file.
"""
