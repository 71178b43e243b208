"""``python -m llm_arena_env`` is the ``llm-arena`` command."""

import sys

from llm_arena_env.cli import main

sys.exit(main())
