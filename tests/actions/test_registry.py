"""The action server can load the `actions` package and serves every action the domain names."""

from rasa_sdk.executor import ActionExecutor

from tests.actions.conftest import DOMAIN

BUILT_IN = {"action_deactivate_loop"}  # Rasa's own; forms run inside the Rasa server too


def test_every_custom_action_in_the_domain_is_served():
    executor = ActionExecutor()
    executor.register_package("actions")
    served = set(executor.actions)
    assert set(DOMAIN["actions"]) - BUILT_IN <= served
