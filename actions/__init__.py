"""Custom actions run by the rasa-sdk action server, one module per concern.

The settings are read when the action server imports this package, so a configuration
it cannot serve patients with stops it at start-up with the reason, not at a patient's
first message: with RUN_PROFILE=prod (set by `make run-prod`), a clinic profile without
the clinic's real phone number (`bot.settings.ClinicProfile.production_problem`).
"""

from bot.settings import get_settings

get_settings()
