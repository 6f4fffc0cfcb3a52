"""Response generation that fills in the clinic's details from its profile.

Domain responses say `{clinic_name}`, `{clinic_contact}`, `{emergency_number}` and so on
instead of hard-coding them. Rasa's templated generator fills placeholders from slots and
keyword arguments; this subclass adds the clinic profile's values (as defaults that slots
or an action's arguments may override), and `{when_back}`: empty while the clinic is open
(or its opening hours are unknown), else " when we're back on Monday at 9:00" in the
clinic's time, so an answer promising a person says when one will reply. It is worked
out as the answer is written, in the Rasa server, so no action or slot has to carry it. It runs inside the Rasa server, so a safety or
fallback answer still carries the clinic's phone number when the action server is down.

Enabled in `endpoints.yml`:

    nlg:
      type: bot.rasa_server.nlg.ClinicNLG
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.clinic_profile import ClinicProfile
from bot.insights import feedback
from bot.office_hours import OfficeHours
from bot.rasa_server.say_once import load_repeat_note, load_warnings, said_again, said_once
from bot.settings import get_settings

# The article's answers (the ones patients rate): asked for twice in a row, they carry the
# repeat note (bot.rasa_server.say_once).
ANSWERS = feedback.ANSWERS


class ClinicNLG(TemplatedNaturalLanguageGenerator):
    """Templated responses with the clinic profile's values available as placeholders."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        clinic: Optional[ClinicProfile] = None,
        clock: Callable[[], datetime] = partial(datetime.now, timezone.utc),
    ) -> None:
        """Rasa calls this with `endpoint_config` and `domain`; tests may pass `clinic` and `clock`."""
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        clinic = clinic or get_settings().clinic
        self.clinic_values = clinic.template_values()
        self.office_hours = OfficeHours.from_profile(clinic)
        self.clock = clock
        self.warnings = load_warnings()
        self.repeat_note = load_repeat_note()

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        """Generate a response; a warning given earlier in the session is only referred to,
        and an answer given twice in a row offers the team (bot.rasa_server.say_once)."""
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response and response.get("text"):
            values = {**tracker.current_slot_values(), **self.clinic_values, **kwargs}
            earlier = _session_bot_texts(tracker)
            given = response["text"]
            response["text"] = said_once(given, earlier, self.warnings, values)
            if utter_action.startswith(ANSWERS):
                response["text"] = said_again(response["text"], given, earlier, self.repeat_note, values)
        return response

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        """Generate a response, with the clinic's values as default placeholders."""
        values = {**self.clinic_values, "when_back": self.when_back(), **kwargs}
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **values)

    def when_back(self) -> str:
        """' when we're back on Monday at 9:00' while the clinic is closed, else ''."""
        back_at = self.office_hours.back_at(self.clock())
        return f" when we're back {back_at}" if back_at else ""


def _session_bot_texts(tracker: DialogueStateTracker) -> List[str]:
    """What the assistant has said since the session started."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, BotUttered) and event.text:
            texts.append(event.text)
    return texts
