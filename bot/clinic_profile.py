"""Who the assistant speaks for: the clinic profile file, and the phrases built from it.

The profile (`clinic/profile.yml`, or CLINIC_PROFILE) holds the clinic's name, phone,
hours, address, links, emergency number, country, time zone and opening hours.
`bot.settings` says which file to read; this module reads it strictly (unknown keys and
yes/no surprises are errors) and turns it into the phrases every answer uses (how to
call, the safety line, the contact details, the hours), so a clinic changes its number
in one file and every answer follows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.errors import ConfigurationError
from bot.opening_hours import WeeklyHours

logger = logging.getLogger(__name__)

# What a profile without `time_zone` is read in: a guess, so production refuses it.
DEFAULT_TIME_ZONE = "UTC"
# Fields the code sets and the profile file may not: whether the file named a time zone.
NOT_IN_FILE = frozenset({"time_zone_stated"})


@dataclass(frozen=True)
class ClinicProfile:
    """Who the assistant speaks for. Empty fields are unknown and never invented.

    `country` is the region a patient's local phone number ("(555) 010-0100") is read in.
    `demo` marks the profile shipped for `make run`: its phone number is fictional (the
    555-0100 to 555-0199 range is reserved for fiction), the widget and the launcher say
    so, and the prod profile refuses it.
    `time_zone` (an IANA name) is where `opening_hours` are wall-clock times, and where
    staff read the console's times; `time_zone_stated` is False when the file named
    none, so production can refuse the UTC guess. `hours` is free text for patients;
    when it is empty, `hours_text` is derived from `opening_hours`.
    """

    name: str
    phone: str = ""
    hours: str = ""
    address: str = ""
    website: str = ""
    booking_url: str = ""
    emergency_number: str = "911"
    country: str = "US"
    # Who the patient is told has joined when staff take a conversation over.
    staff_title: str = "A member of our team"
    # A conversation taken over with no staff reply for this long goes back to the assistant.
    takeover_timeout_hours: float = 4.0
    time_zone: str = DEFAULT_TIME_ZONE
    opening_hours: WeeklyHours = WeeklyHours()
    demo: bool = False
    time_zone_stated: bool = True

    def __post_init__(self) -> None:
        country = self.country.strip().upper()
        if len(country) != 2 or not (country.isascii() and country.isalpha()):
            raise ConfigurationError(
                f"'country' must be a two-letter ISO 3166 code such as US or GB, not {self.country!r}"
            )
        object.__setattr__(self, "country", country)
        hours = self.takeover_timeout_hours
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 7:
            raise ConfigurationError(f"'takeover_timeout_hours' must be a number of hours from 0 to 168, not {hours!r}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"'time_zone' must be an IANA time zone such as America/New_York or Europe/London, "
                f"not {self.time_zone!r} (if the name is right, install the tz database: tzdata)"
            ) from exc

    @classmethod
    def load(cls, path: Path) -> "ClinicProfile":
        """Read the profile YAML; unknown keys are an error so typos do not pass silently."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigurationError(f"clinic profile not found: {path}") from exc
        if not isinstance(raw, dict):
            raise ConfigurationError(f"clinic profile {path} must be a mapping of fields")
        known = set(cls.__dataclass_fields__) - NOT_IN_FILE
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigurationError(
                f"clinic profile {path}: unknown field(s) {', '.join(unknown)}; "
                f"known fields are {', '.join(sorted(known))}"
            )
        raw = dict(raw)
        try:
            opening_hours = WeeklyHours.parse(raw.pop("opening_hours", None))
        except ConfigurationError as exc:
            raise ConfigurationError(f"clinic profile {path}: {exc}") from exc
        # A number, kept as one (every other field is text); absent or empty: the default.
        numbers: Dict[str, Any] = {}
        if raw.get("takeover_timeout_hours") not in (None, ""):
            numbers["takeover_timeout_hours"] = raw.pop("takeover_timeout_hours")
        raw.pop("takeover_timeout_hours", None)
        demo = raw.pop("demo", False)
        if demo is None:
            demo = False
        if not isinstance(demo, bool):
            raise ConfigurationError(f"clinic profile {path}: 'demo' must be true or false, not {demo!r}")
        # YAML reads an unquoted NO (Norway) or yes as a boolean; never guess what was meant.
        booleans = sorted(key for key, value in raw.items() if isinstance(value, bool))
        if booleans:
            raise ConfigurationError(
                f"clinic profile {path}: {', '.join(booleans)} read as yes/no; put the value in quotes, "
                'e.g. country: "NO"'
            )
        values: Dict[str, Any] = {key: str(value or "").strip() for key, value in raw.items()}
        if not values.get("name"):
            raise ConfigurationError(f"clinic profile {path}: 'name' is required")
        for field_name in ("emergency_number", "country", "staff_title", "time_zone"):
            if not values.get(field_name):
                values.pop(field_name, None)  # empty means "the default"
        time_zone_stated = "time_zone" in values
        if not time_zone_stated:
            logger.warning(
                "clinic profile %s names no time_zone: opening hours and times are read as %s; "
                "set time_zone (e.g. America/New_York), which production requires",
                path,
                DEFAULT_TIME_ZONE,
            )
        try:
            return cls(**values, **numbers, opening_hours=opening_hours, demo=demo, time_zone_stated=time_zone_stated)
        except ConfigurationError as exc:
            raise ConfigurationError(f"clinic profile {path}: {exc}") from exc

    def production_problem(self, path: Optional[Path] = None) -> Optional[str]:
        """Why this profile may not serve patients in production, or None when it may.

        Every safety answer tells a patient which number to call, so production needs
        the clinic's real phone number: not an empty one, and not the demo's fictional one.
        """
        where = str(path) if path else "the clinic profile"
        if not self.phone:
            return (
                f"{where} has no phone number, and every safety answer must tell patients which "
                "number to call: set `phone:` to the clinic's number (CLINIC_PROFILE picks another file)"
            )
        if self.demo:
            return (
                f"{where} is the demo profile (demo: true; {self.phone} is a fictional number): "
                "set the clinic's real `phone:` and remove `demo: true`"
            )
        if not self.time_zone_stated:
            return (
                f"{where} names no time zone, so opening hours and the times staff see would be read as "
                f"{DEFAULT_TIME_ZONE}: set `time_zone:` to the clinic's, e.g. America/New_York"
            )
        return None

    @property
    def phone_or_name(self) -> str:
        """What a patient should call: the number, or (unknown number) the clinic's name."""
        return self.phone or self.name

    @property
    def contact(self) -> str:
        """How to reach the clinic, phrased to follow 'please' or 'or' in a sentence.

        It always says to call: with the number when we know it (the demo profile has
        one, and production requires one), else with where to find it.
        """
        if self.phone:
            return f"call {self.name} at {self.phone}"
        if self.website:
            return f"call {self.name} (the number is on {self.website})"
        return f"call {self.name} (the number is on the clinic's website)"

    @property
    def safety_line(self) -> str:
        """The one sentence every dead end carries, so a worried patient always knows whom to call."""
        return (
            f"Worried about a symptom after a treatment? Call {self.phone_or_name}. Emergency: {self.emergency_number}."
        )

    @property
    def hours_text(self) -> str:
        """The hours patients read: the profile's own words, else its opening hours ('' when neither)."""
        return self.hours or self.opening_hours.describe()

    @property
    def booking_form(self) -> str:
        """The clinic's request-an-appointment form, with its link when we know it."""
        if self.booking_url:
            return f"our request-an-appointment form ({self.booking_url})"
        return "our request-an-appointment form"

    @property
    def details(self) -> str:
        """The contact details we know, one per line, or an honest 'I don't have them'."""
        lines = [
            f"{label}: {value}"
            for label, value in (
                ("Phone", self.phone),
                ("Hours", self.hours_text),
                ("Address", self.address),
                ("Website", self.website),
            )
            if value
        ]
        if not lines:
            return (
                "I don't have the clinic's phone number, hours or address here, "
                "so please check the clinic's website for them."
            )
        return "\n".join(lines)

    def template_values(self) -> Dict[str, str]:
        """Placeholders that domain responses may use, e.g. `{clinic_contact}`."""
        return {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "clinic_phone_or_name": self.phone_or_name,
            "clinic_contact": self.contact,
            "safety_line": self.safety_line,
            "clinic_details": self.details,
            "booking_form": self.booking_form,
            "emergency_number": self.emergency_number,
            "staff_name": self.staff_title,  # who joined a taken-over chat, unless the staff bridge names them
        }
