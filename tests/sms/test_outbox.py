"""The outbox keeps each staff text's fate: pending before the API call, then Twilio's word,
which only ever moves forward; on both backends."""

from sqlalchemy.orm import sessionmaker

from bot.sms.outbox import NOT_SENT, PENDING, Delivery, SmsOutbox

CONVERSATION, PHONE = "sms:+15550100123", "+15550100123"


def _recorded(db: sessionmaker) -> "tuple[SmsOutbox, str]":
    outbox = SmsOutbox(db)
    outbound_id = outbox.new_id()
    outbox.record(outbound_id, CONVERSATION, PHONE)
    return outbox, outbound_id


def test_a_text_is_pending_until_the_api_answers(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    assert outbox.deliveries([outbound_id])[outbound_id].status == PENDING
    outbox.sent(outbound_id, "SM" + "1" * 32, "queued")
    assert outbox.deliveries([outbound_id])[outbound_id].status == "queued"


def test_reports_move_a_text_forward_and_a_late_one_never_back(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    sid = "SM" + "2" * 32
    outbox.sent(outbound_id, sid, "queued")
    assert outbox.status_callback(sid, "delivered", None)
    assert outbox.status_callback(sid, "sent", None)  # arrived late: ours, but no step back
    assert outbox.deliveries([outbound_id])[outbound_id].status == "delivered"


def test_an_undelivered_text_says_why(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    sid = "SM" + "3" * 32
    outbox.sent(outbound_id, sid, "queued")
    outbox.status_callback(sid, "undelivered", "Twilio error 30003")
    delivery = outbox.deliveries([outbound_id])[outbound_id]
    assert (delivery.status, delivery.error, delivery.failed) == ("undelivered", "Twilio error 30003", True)


def test_a_refused_text_is_not_sent_with_the_reason(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    outbox.refused(outbound_id, "the patient has opted out of texts")
    delivery = outbox.deliveries([outbound_id])[outbound_id]
    assert delivery == Delivery(NOT_SENT, "the patient has opted out of texts", delivery.at)
    assert delivery.failed


def test_a_report_for_a_text_we_never_sent_changes_nothing(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    assert not outbox.status_callback("SM" + "9" * 32, "delivered", None)
    assert outbox.deliveries([outbound_id])[outbound_id].status == PENDING


def test_deliveries_answers_for_what_is_recorded_only(db: sessionmaker) -> None:
    outbox, outbound_id = _recorded(db)
    assert set(outbox.deliveries([outbound_id, "f" * 32])) == {outbound_id}
    assert outbox.deliveries([]) == {}
