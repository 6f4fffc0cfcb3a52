"""The conversation id a test's sender is stored under (bot.conversation_ids): the tests
post phone numbers (`+...`) as Twilio webhooks and every other sender to the REST channel."""

from bot.conversation_ids import REST, SMS, conversation_id


def stored_id(sender: str) -> str:
    """`sms:<number>` for a phone number texted in, else `rest:<sender>`."""
    return conversation_id(SMS, sender) if sender.startswith("+") else conversation_id(REST, sender)
