"""Response generation that fills in the clinic's details from its profile.

Domain responses say `{clinic_name}`, `{clinic_contact}`, `{emergency_number}` and so on
instead of hard-coding them. Rasa's templated generator fills placeholders from slots and
keyword arguments; this subclass adds the clinic profile's values (as defaults that slots
or an action's arguments may override). It runs inside the Rasa server, so a safety or
fallback answer still carries the clinic's phone number when the action server is down.

Enabled in `endpoints.yml`:

    nlg:
      type: bot.nlg.ClinicNLG
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.settings import ClinicProfile, get_settings


class ClinicNLG(TemplatedNaturalLanguageGenerator):
    """Templated responses with the clinic profile's values available as placeholders."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        clinic: Optional[ClinicProfile] = None,
    ) -> None:
        """Rasa calls this with `endpoint_config` and `domain`; tests may pass `clinic`."""
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        self.clinic_values = (clinic or get_settings().clinic).template_values()

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        """Generate a response, with the clinic's values as default placeholders."""
        values = {**self.clinic_values, **kwargs}
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **values)
