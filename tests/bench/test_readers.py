"""bench.readers: its messages are as long as a channel lets in, and it reports every reader on each.

No timing is checked: the benchmark prints numbers, the tests only that it runs.
"""

from bench import readers
from bot.text import MAX_MESSAGE_CHARS


def test_every_adversarial_message_is_as_long_as_a_channel_lets_in():
    assert readers.ADVERSARIAL and all(len(text) == MAX_MESSAGE_CHARS for text in readers.ADVERSARIAL.values())


def test_it_prints_a_line_per_message_and_reader(capsys):
    assert readers.main(["--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + len(readers.ADVERSARIAL) * len(readers.readers())
    assert all(float(line.split()[-1]) >= 0 for line in lines[1:])
