"""Start the assistant's servers together, and stop them together.

- `profiles`: the processes of each profile (embedded: one Rasa server on SQLite; prod:
  several on PostgreSQL and Redis behind `proxy`), their commands and environments;
- `preparation`: databases migrated and files made private before anything starts;
- `supervision`: `Stack` starts, watches and stops the processes (`running_stack()` for
  tests, evaluations and benchmarks);
- `cli`: `python -m bot.launcher` (`make run`, `make run-prod`);
- `proxy`: the demo round-robin proxy of the prod profile.
"""
