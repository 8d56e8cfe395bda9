"""Request words that, in a catalogue's solved samples, nearly always come with a tool.

The model leaves out tools a request asks for in a word rather than a clause of its own
("a colorized, styled spectrogram" asks for the colorizer; "a smooth video" for the
stabiliser). The solved samples say which words do that: a word found in at least
`min_count` solved requests, whose tool set included the tool in at least `min_share` of
them, is a cue for that tool. Chosen on the TaskBench pool folds (see the README's graph
planner section): 5 requests and 90%.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DEFAULT_MIN_COUNT = 5
DEFAULT_MIN_SHARE = 0.9
_WORD = re.compile(r"[a-z][a-z-]{3,}")


def request_words(request: str) -> set[str]:
    """The request's lower-case words of four letters or more."""
    return set(_WORD.findall(request.lower()))


@dataclass(frozen=True)
class RequestCues:
    """word -> the tools it is a cue for."""

    tools_of: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_solved(
        cls,
        solved: Iterable[tuple[str, Sequence[str]]],
        min_count: int = DEFAULT_MIN_COUNT,
        min_share: float = DEFAULT_MIN_SHARE,
    ) -> RequestCues:
        """Cues learned from (request, node tools) of solved samples."""
        requests: Counter[str] = Counter()
        together: Counter[tuple[str, str]] = Counter()
        for request, tools in solved:
            words = request_words(request)
            requests.update(words)
            together.update((word, tool) for word in words for tool in set(tools))
        tools_of: dict[str, set[str]] = {}
        for (word, tool), count in together.items():
            if requests[word] >= min_count and count >= min_share * requests[word]:
                tools_of.setdefault(word, set()).add(tool)
        return cls({word: frozenset(tools) for word, tools in tools_of.items()})

    def cued(self, request: str) -> dict[str, str]:
        """tool -> the first word of the request (in its order) that is a cue for it."""
        found: dict[str, str] = {}
        for word in _WORD.findall(request.lower()):
            for tool in sorted(self.tools_of.get(word, ())):
                found.setdefault(tool, word)
        return found
