"""Logging for the command line: `toolpath -v` (INFO) / `-vv` (DEBUG), or env TOOLPATH_LOG.

Library modules log through `logging.getLogger(__name__)` and configure nothing; the CLI
attaches one rich handler (stderr) to the `toolpath` logger here, once per process.
"""

from __future__ import annotations

import logging
import os

from rich.console import Console
from rich.logging import RichHandler

ENV_VAR = "TOOLPATH_LOG"
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}
ROOT_LOGGER = "toolpath"
_HANDLER_NAME = "toolpath-cli"


def level_for(verbosity: int, env: str | None) -> tuple[int, str | None]:
    """The level for `-v` count and TOOLPATH_LOG (flags win); a problem with env, if any."""
    if verbosity >= 2:
        return logging.DEBUG, None
    if verbosity == 1:
        return logging.INFO, None
    if not env:
        return logging.WARNING, None
    level = LEVELS.get(env.strip().upper())
    if level is None:
        return logging.WARNING, f"{ENV_VAR}={env!r} ignored; use one of {', '.join(LEVELS)}"
    return level, None


def configure_logging(verbosity: int = 0) -> int:
    """Set the `toolpath` logger's level and its one stderr handler; return the level."""
    level, problem = level_for(verbosity, os.environ.get(ENV_VAR))
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
    handler = RichHandler(
        console=Console(stderr=True), show_time=False, show_path=False, markup=False
    )
    handler.set_name(_HANDLER_NAME)
    logger.addHandler(handler)
    logger.setLevel(level)
    if problem:
        logger.warning(problem)
    return level
