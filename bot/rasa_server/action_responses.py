"""Check the action server's answers against Rasa's schema with one validator, built once.

Rasa validates every answer of the action server with `jsonschema.validate(result,
schema)`, which first checks the schema itself against the JSON Schema meta-schema
(draft 2020-12, the most expensive one) on every call. That was about a fifth of the Rasa
server's time on form turns (docs/performance.md). The schema never changes, so it is
checked once here, and each answer is validated with the same validator, with the same
errors as Rasa's (same message, same exception).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Use the cached validator in this process's Rasa (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
