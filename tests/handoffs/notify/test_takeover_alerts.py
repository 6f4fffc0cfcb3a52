"""The staff member who took a conversation over is e-mailed when the patient writes again,
at most once per conversation per quiet period, and never to something that is not an address."""

import logging
from typing import List, Optional, Tuple

from bot.handoffs.notify.takeover_alerts import TakeoverAlerts


class Mailer:
    """Records `patient_wrote` calls as the SMTP notifier would receive them (or fails)."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: List[Tuple[str, Optional[int]]] = []
        self.fail = fail

    def patient_wrote(self, recipient: str, handoff_id: Optional[int]) -> None:
        if self.fail:
            raise OSError("mail server down")
        self.sent.append((recipient, handoff_id))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_messages_means_one_email_then_another_after_the_quiet_period() -> None:
    mailer, clock = Mailer(), Clock()
    alerts = TakeoverAlerts(mailer, quiet_s=600, clock=clock)  # type: ignore[arg-type]
    assert alerts.patient_wrote("ana@clinic.example", "sms:+15550100123", 7)
    assert not alerts.patient_wrote("ana@clinic.example", "sms:+15550100123", 7)
    assert alerts.patient_wrote("ana@clinic.example", "widget:other", 8)  # another conversation
    clock.now += 601
    assert alerts.patient_wrote("ana@clinic.example", "sms:+15550100123", 7)
    assert mailer.sent == [("ana@clinic.example", 7), ("ana@clinic.example", 8), ("ana@clinic.example", 7)]


def test_without_a_mail_server_or_an_address_nothing_is_sent() -> None:
    assert not TakeoverAlerts(None).patient_wrote("ana@clinic.example", "widget:a", 1)
    mailer = Mailer()
    assert not TakeoverAlerts(mailer).patient_wrote("front desk", "widget:a", 1)  # type: ignore[arg-type]
    assert mailer.sent == []


def test_a_mail_failure_is_logged_not_raised(caplog) -> None:
    with caplog.at_level(logging.ERROR):
        assert not TakeoverAlerts(Mailer(fail=True)).patient_wrote("ana@clinic.example", "widget:a", 1)  # type: ignore[arg-type]
    assert "could not e-mail the staff member" in caplog.text
