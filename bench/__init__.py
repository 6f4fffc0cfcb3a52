"""`make bench`: our assistant against a stock `rasa init` assistant, on the same machine
in the same run (issue 8), and `python -m bench.ab` for measuring one change at a time.

A package of small modules, so that each figure of docs/performance.md comes from one
place a test can check on its own:

- `stock` builds the reference (and caches it), `ours` and `training` time `rasa train`;
- `assistants` says how each assistant is started (ours with the launcher's commands),
  `databases` makes the production mode's throwaway PostgreSQL schema;
- `servers` starts processes and measures cold start and memory, `load` is the
  closed-loop load generator, `conversations` what it sends, `stats` the percentiles,
  `runner` puts those together for one assistant;
- `results` holds a run's figures, `targets` the issue's targets, `report` and `plot`
  write docs/performance.md and docs/latency.png, with bench/findings.md (the record of
  what was changed and what it gave) included as it is.
"""
