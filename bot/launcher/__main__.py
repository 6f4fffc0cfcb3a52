"""`python -m bot.launcher` (`make run`, `make run-prod`): see `bot.launcher.cli`."""

import sys

from bot.launcher.cli import main

sys.exit(main())
