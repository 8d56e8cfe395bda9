"""toolpath: an LLM planner, an A* tool-path search and a verifier over a typed tool graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("toolpath")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
