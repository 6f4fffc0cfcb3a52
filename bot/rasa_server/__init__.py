"""Everything the Rasa server process loads from us, and nothing else.

Rasa imports these by the names in config.yml, endpoints*.yml and credentials.yml:

- `channels`: the input channels patients reach (REST, the website widget, Twilio SMS),
  with their admission, rate limits and response shaping; `widget/` holds the widget's
  static assets;
- `components`: our NLU pipeline components (tokenizer, intent classifier, red-flag
  detector); the rules they apply are plain code in `bot.understanding`;
- `nlg`: responses filled from the clinic profile, with `say_once` for lines a
  conversation hears only once;
- `tracker_store`, `locks`: Rasa's SQL tracker store and Redis lock store, tuned;
- `action_responses`: the cached validator for action-server answers (a patch of a
  Rasa internal; docs/rasa-internals.md).

Domain logic (booking, screening, handoffs, SMS state) lives in plain packages that know
nothing of Rasa; the import contracts in pyproject.toml keep it so.
"""
