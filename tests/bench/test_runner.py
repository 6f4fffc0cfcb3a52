import os
import sys
from pathlib import Path

from bench.assistants import Assistant, free_port
from bench.load import rest_url
from bench.runner import measure
from bench.servers import ProcessSpec, Ready
from bot.settings import PROJECT_ROOT

CONVERSATIONS = (("hi", "bye"),)


def test_measures_cold_start_memory_and_every_level_of_a_served_assistant(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    echo = ProcessSpec("rasa", [sys.executable, "-m", "tests.bench.echo_server", str(port)], env, PROJECT_ROOT,
                       Ready(rest_url(url), "message"))  # fmt: skip
    assistant = Assistant("ours", "echo", "an echo server", url, (echo,), CONVERSATIONS)
    result = measure(assistant, [1, 3], 0.3, tmp_path / "logs", "test")
    assert result.key == "ours" and result.label == "echo"
    assert result.cold_start_s > 0
    assert result.rss_mb["rasa"] > 1 and result.pss_mb["rasa"] > 1 and result.rss_after_load_mb["rasa"] > 1
    assert [level.concurrency for level in result.levels] == [1, 3]
    assert all(level.answered > 0 and level.errors == 0 for level in result.levels)
    assert (tmp_path / "logs" / "ours" / "rasa.log").exists()
