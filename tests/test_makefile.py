"""`make help` names every target a newcomer can run."""

import re
import subprocess

from bot.settings import PROJECT_ROOT


def test_help_names_every_phony_target():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split())
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    named = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", shown))
    assert phony - {"help"} <= named, f"make help does not mention: {sorted(phony - {'help'} - named)}"
