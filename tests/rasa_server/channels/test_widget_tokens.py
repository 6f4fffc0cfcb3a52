"""Widget conversation tokens: issued at random, signed, and only our own signature is accepted."""

import pytest

from bot.rasa_server.channels.widget_tokens import MIN_SECRET_LENGTH, WidgetTokens, widget_secret
from bot.settings import ConfigurationError, Settings

SECRET = "s" * MIN_SECRET_LENGTH


def test_a_token_names_a_widget_conversation_of_its_own():
    tokens = WidgetTokens(SECRET)
    first, second = tokens.issue(), tokens.issue()
    assert first != second
    conversation = tokens.conversation(first)
    assert conversation.startswith("widget:") and conversation != tokens.conversation(second)
    assert first.partition(".")[0] == conversation.partition(":")[2]  # the id, and its signature after it


@pytest.mark.parametrize(
    "token",
    [None, 7, "", ".", "abc", "0123456789abcdef0123456789abcdef", "widget:" + "A" * 24, "A" * 24, "A" * 24 + ".",
     "A" * 24 + "." + "B" * 43, "A" * 24 + ".é", "A" * 24 + "." + "B" * 1000],
)  # fmt: skip
def test_anything_but_a_signed_token_names_nothing(token):
    assert WidgetTokens(SECRET).conversation(token) is None


def test_a_changed_character_or_another_secret_breaks_the_signature():
    token = WidgetTokens(SECRET).issue()
    assert WidgetTokens("t" * MIN_SECRET_LENGTH).conversation(token) is None
    for position in range(len(token)):
        if token[position] == ".":
            continue
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        assert WidgetTokens(SECRET).conversation(changed) is None, position


def test_a_short_secret_is_refused():
    with pytest.raises(ConfigurationError):
        WidgetTokens("short")


def test_the_secret_comes_from_the_environment_or_a_generated_file(tmp_path):
    given = Settings.from_env({"VAR_DIR": str(tmp_path), "WIDGET_SECRET": "w" * 40})
    assert widget_secret(given) == "w" * 40 and not given.widget_secret_file.exists()
    generated = Settings.from_env({"VAR_DIR": str(tmp_path)})
    secret = widget_secret(generated)
    assert len(secret) >= MIN_SECRET_LENGTH and widget_secret(generated) == secret
    with pytest.raises(ConfigurationError, match="WIDGET_SECRET"):
        widget_secret(Settings.from_env({"VAR_DIR": str(tmp_path), "WIDGET_SECRET": "too short"}))
