"""`python -m bot.action_server`: what the launcher starts (see `bot.action_server.app`)."""

import sys

from bot.action_server.app import main

sys.exit(main())
