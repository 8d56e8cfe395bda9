"""Graph-constrained tool choice: the LLM writes the steps and how they connect, the
matcher and an A* over the tool graph choose each step's tool.

After "Can Graph Learning Improve Planning in LLM-based Agents?" (Wu et al., NeurIPS 2024):
a small model is decent at saying what the steps are and weak at choosing among dozens of
tools and wiring them. Here each node of the model's plan gets the tool that minimises

    w(t, i) = -log p(t | step i)  -  bonus * [t is the tool the model named for step i]

summed over the nodes, plus a penalty for every edge of the plan that the tool graph does
not have (resource types, or the catalogue's declared links); the repair then re-points
what is left, so every plan that comes out is a valid sub-graph of the tool graph. A soft
edge beats a hard one: the model's wiring is sometimes what is wrong, and a hard edge then
forces a wrong tool. The A* visits the nodes in topological order; its heuristic, the sum
of each remaining node's smallest weight (penalties ignored), never overestimates, so the
first complete assignment popped is the optimal one.

The model also stops short: asked to "segment the image, and then detect the objects" it
may write the segmentation alone. So each clause of the request is matched to a tool too,
and a clause whose likeliest tool is clearly named (p >= `Completion.min_prob`) and that no
node of the plan serves gets a node of its own, fed by the latest node whose output type it
takes (in a catalogue without data types, such as declared links only, it stays unwired).
Likewise a node after the first that reads no other node's result although its tool takes
an input (the model wrote a placeholder such as "combined.wav") is fed by the latest
earlier node whose output type it takes (`wire_orphans`), and a node reading a result that
a later step already transformed into the same type reads the transformed one
(`read_latest_transform`). In a catalogue without data
types (declared links only) nothing says which step feeds which, so the steps are linked one
after another in the order the model wrote them (`chain_steps`). A node the model wrote no
step for is dropped before the choice (`drop_stepless`); a tool a word of the request is a
cue for (`planners.cues`) gets a node like a completion's (`add_cued_tools`); an added node
that turns a kind into the same kind sits between its feeder and the feeder's readers
(`thread_transforms`); and a file the request names that no node reads goes to the first
node that takes its kind and lacks it (`give_request_files`).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolpath.planners.alignment import solved_pairs
from toolpath.planners.cues import RequestCues
from toolpath.planners.graph import ToolGraph
from toolpath.planners.matcher import StepMatcher, cached_matcher
from toolpath.planners.media import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    content_type,
)
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.tools.catalogs.catalog import Catalog

# Chosen on fold 0/5 of the huggingface and multimedia demonstration pools, checked on fold
# 1/5 (never on the evaluation slice): see the README's graph planner section.
DEFAULT_LLM_BONUS = 0.5
DEFAULT_EDGE_PENALTY = 1.0
DEFAULT_FILE_PENALTY = 2.0
MAX_EXPANSIONS = 200_000
# Where one thing asked for ends and the next begins: a sentence end, "then", "finally",
# "after that", ", and <verb>" (", and" followed by a lower-case word).
_CLAUSE_BREAK = re.compile(
    r"[.;!?]\s+|,\s*(?:and\s+)?(?:then|finally|after that|afterwards|next|also)\b\s*,?\s*"
    r"|\s+and\s+then\s+|\s+then\s+|,\s+and\s+(?=[a-z]+\s)|\bfinally,?\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ToolChoice:
    """The chosen tool per node (plan order), its total weight and the nodes changed."""

    tools: list[str]
    weight: float
    changed: list[int]
    expanded: int


def node_weights(
    plan: Plan,
    matcher: StepMatcher,
    llm_bonus: float = DEFAULT_LLM_BONUS,
    graph: ToolGraph | None = None,
    file_penalty: float = DEFAULT_FILE_PENALTY,
) -> np.ndarray:
    """w(t, i) for every node i of the plan and every tool t of the matcher; with a graph of
    typed tools, a node given a media file (example.jpg) it cannot take pays `file_penalty`
    per such file (a literal input is an edge from the request)."""
    steps = [task.description or task.capability for task in plan.subtasks]
    weights = -matcher.log_probs(steps)
    index = {name: k for k, name in enumerate(matcher.names)}
    for i, task in enumerate(plan.subtasks):
        if task.capability in index:
            weights[i, index[task.capability]] -= llm_bonus
        if graph is not None:
            weights[i] += file_penalty * _unfit_files(task, matcher.names, graph)
    return weights


def _unfit_files(task: SubTask, names: Sequence[str], graph: ToolGraph) -> np.ndarray:
    """Per tool, how many of the task's literal media files it has no input type for."""
    kinds = [
        content_type(str(arg.value))
        for arg in task.arguments
        if arg.name is None and isinstance(arg.value, str) and not arg.references()
    ]
    kinds = [kind for kind in kinds if kind != "text"]
    counts = np.zeros(len(names))
    if not kinds:
        return counts
    for k, name in enumerate(names):
        inputs = {t.lower() for t in graph.spec(name).inputs} if name in graph else set()
        if inputs:
            counts[k] = sum(kind not in inputs for kind in kinds)
    return counts


@dataclass(frozen=True)
class Penalties:
    """Soft constraints of the choice. `edge`: per plan edge the tool graph does not have
    (None: such assignments are not allowed at all; the repair re-points what is left);
    `file`: per media file given to a node whose tool has no input of that kind;
    `repeat`: per tool used more often than the model itself used it."""

    edge: float | None = DEFAULT_EDGE_PENALTY
    file: float = DEFAULT_FILE_PENALTY
    repeat: float = 0.0


def choose_tools(
    plan: Plan,
    weights: np.ndarray,
    names: Sequence[str],
    graph: ToolGraph,
    penalties: Penalties = Penalties(),
) -> ToolChoice | None:
    """The minimum-weight tool per node (plus penalties); None when no assignment is
    allowed (hard edges) or the search exceeds its bound."""
    order = plan.topological_order()
    parents = {node: plan.parents(node) for node in order}
    check_edges = graph.graph.number_of_edges() > 0
    written = Counter(task.capability for task in plan.subtasks)
    best_rest = np.concatenate([np.cumsum(weights[order].min(axis=1)[::-1])[::-1], [0.0]])
    ranked = {node: np.argsort(weights[node]) for node in order}
    counter = itertools.count()
    heap: list[tuple[float, int, float, tuple[int, ...]]] = [
        (float(best_rest[0]), next(counter), 0.0, ())
    ]
    expanded = 0
    while heap and expanded < MAX_EXPANSIONS:
        _, _, g, chosen = heapq.heappop(heap)
        depth = len(chosen)
        if depth == len(order):
            return _result(plan, order, chosen, names, g, expanded)
        expanded += 1
        node = order[depth]
        assigned = {order[d]: names[t] for d, t in enumerate(chosen)}
        used = Counter(assigned.values())
        for tool in ranked[node]:
            name = names[tool]
            extra = 0.0
            if check_edges:
                missing = sum(not graph.allows(assigned[p], name) for p in parents[node])
                if missing and penalties.edge is None:
                    continue
                extra += missing * (penalties.edge or 0.0)
            if used[name] + 1 > written[name]:
                extra += penalties.repeat * min(used[name], 1)
            cost = g + float(weights[node, tool]) + extra
            heapq.heappush(
                heap, (cost + float(best_rest[depth + 1]), next(counter), cost, (*chosen, tool))
            )
    return None


def _result(
    plan: Plan,
    order: list[int],
    chosen: tuple[int, ...],
    names: Sequence[str],
    weight: float,
    expanded: int,
) -> ToolChoice:
    tools = [""] * len(order)
    for node, tool in zip(order, chosen, strict=True):
        tools[node] = names[tool]
    changed = [i for i, t in enumerate(plan.subtasks) if t.capability != tools[i]]
    return ToolChoice(tools=tools, weight=weight, changed=changed, expanded=expanded)


def apply_choice(plan: Plan, choice: ToolChoice) -> Plan:
    """A copy of the plan with the chosen tools."""
    plan = plan.model_copy(deep=True)
    for task, tool in zip(plan.subtasks, choice.tools, strict=True):
        task.capability = tool
    return plan


def request_clauses(request: str) -> list[str]:
    """The request cut where one thing asked for ends and the next begins (two words or more)."""
    parts = (part.strip(" ,.") for part in _CLAUSE_BREAK.split(request))
    return [part for part in parts if len(part.split()) >= 2]


@dataclass(frozen=True)
class Completion:
    """When a clause of the request gets a node of its own: its likeliest tool has
    p >= `min_prob`, the plan lacks that tool, and no tool of the plan has
    p >= `covered_ratio` x that for the clause. Chosen on the pool folds of all three
    TaskBench domains (see the README's graph planner section)."""

    min_prob: float = 0.7
    covered_ratio: float = 0.6


def _latest_maker(
    plan: Plan, tool: str, nodes: Sequence[int], graph: ToolGraph
) -> tuple[int, set[str]] | None:
    """(the last of `nodes` whose output type `tool` takes as input, those types), or None."""
    inputs = _inputs(graph, tool)
    for node in reversed(nodes):
        kinds = inputs & _outputs(graph, plan.subtasks[node].capability)
        if kinds:
            return node, kinds
    return None


def _feeder(plan: Plan, tool: str, graph: ToolGraph) -> int | None:
    """The latest node (topological order) whose output type `tool` takes as input."""
    found = _latest_maker(plan, tool, plan.topological_order(), graph)
    return None if found is None else found[0]


def _add_fed_node(plan: Plan, tool: str, description: str, graph: ToolGraph) -> int:
    """Append (in place) a node of `tool` reading the latest node whose output type it
    takes (none in a catalogue without data types); its id."""
    feeder = _feeder(plan, tool, graph)
    arguments = [] if feeder is None else [Argument(value=f"<node-{feeder}>")]
    node = len(plan.subtasks)
    plan.subtasks.append(
        SubTask(id=node, description=description, capability=tool, arguments=arguments)
    )
    return node


def complete_plan(
    plan: Plan, matcher: StepMatcher, graph: ToolGraph, completion: Completion = Completion()
) -> tuple[Plan, list[str]]:
    """A copy of the plan with a node for each request clause it leaves unserved (see
    `Completion`), and notes naming them."""
    clauses = request_clauses(plan.request)
    if not clauses or not plan.subtasks:
        return plan, []
    probs = np.exp(matcher.log_probs(clauses))
    index = {name: k for k, name in enumerate(matcher.names)}
    plan, notes = plan.model_copy(deep=True), []
    for clause, row in zip(clauses, probs, strict=True):
        best = int(np.argmax(row))
        tool, floor = matcher.names[best], row[best] * completion.covered_ratio
        present = {task.capability for task in plan.subtasks}
        served = any(row[index[t]] >= floor for t in present if t in index)
        if row[best] < completion.min_prob or tool in present or served:
            continue
        node = _add_fed_node(plan, tool, clause, graph)
        notes.append(f"graph completion: node {node} {tool} for {clause!r}")
    return plan, notes


def add_cued_tools(plan: Plan, cues: RequestCues, graph: ToolGraph) -> tuple[Plan, list[str]]:
    """A copy of the plan with a node for each tool a word of the request is a cue for
    (`RequestCues`) that the plan lacks, described by the request clause holding the word
    from the word on (so the steps of a catalogue without data types are chained where the
    request asks for it) and fed like a completion node. Notes name them."""
    present = {task.capability for task in plan.subtasks}
    missing = {t: w for t, w in cues.cued(plan.request).items() if t not in present and t in graph}
    if not missing or not plan.subtasks:
        return plan, []
    clauses = request_clauses(plan.request) or [plan.request]
    plan, notes = plan.model_copy(deep=True), []
    for tool, word in missing.items():
        clause = next((c for c in clauses if word in c.lower()), tool)
        clause = clause[max(clause.lower().find(word), 0) :]
        node = _add_fed_node(plan, tool, clause, graph)
        notes.append(f"graph cue: node {node} {tool} for the word {word!r}")
    return plan, notes


def thread_transforms(plan: Plan, added: Sequence[int], graph: ToolGraph) -> tuple[Plan, list[str]]:
    """A copy of the plan where each added node whose tool turns one kind into the same kind
    (a colouriser, a noise reducer) and that reads one node sits between that node and its
    readers: an argument that read the feeder's result reads the added node's instead ("a
    colorized, styled spectrogram": the style transfer reads the colourised image, not the
    spectrogram). A change that would make the plan invalid is not made. Notes say which."""
    plan, notes = plan.model_copy(deep=True), []
    for node in added:
        feeder = _same_kind_feeder(plan.subtasks[node], graph)
        if feeder is None:
            continue
        readers = [
            (reader, k)
            for reader in plan.subtasks
            if reader.id not in added
            for k, argument in enumerate(reader.arguments)
            if argument.references() == [feeder]
        ]
        for reader, k in readers:
            notes += _repoint(plan, reader, k, node, feeder)
    return plan, notes


def _same_kind_feeder(task: SubTask, graph: ToolGraph) -> int | None:
    """The one node that `task` reads when its tool turns one kind into the same kind;
    None otherwise."""
    kinds, feeders = _inputs(graph, task.capability), task.references()
    if len(kinds) != 1 or kinds != _outputs(graph, task.capability) or len(feeders) != 1:
        return None
    return next(iter(feeders))


def _repoint(plan: Plan, task: SubTask, k: int, new: int, old: int) -> list[str]:
    """Argument k of `task` (in place) reads node `new` instead of node `old`, unless that
    makes the plan invalid; a note when it does."""
    argument = task.arguments[k]
    task.arguments[k] = Argument(name=argument.name, value=f"<node-{new}>")
    if plan.problems():
        task.arguments[k] = argument
        return []
    return [f"graph wiring: node {task.id} <- node {new} (not {old})"]


def _inputs(graph: ToolGraph, tool: str) -> set[str]:
    return set(graph.spec(tool).inputs) if tool in graph else set()


def _outputs(graph: ToolGraph, tool: str) -> set[str]:
    return set(graph.spec(tool).outputs) if tool in graph else set()


def _takes_user_files(task: SubTask, kinds: set[str], request: str) -> bool:
    """Every media kind the node takes comes as a file the request names (example.jpg)."""
    given = {
        content_type(a.value)
        for a in task.arguments
        if isinstance(a.value, str) and a.value.strip() and not a.references()
        and a.value in request
    }  # fmt: skip
    media = kinds - {"text"}
    return bool(media) and media <= given


def _feed(task: SubTask, source: int, kinds: set[str]) -> None:
    """`task` reads `source`'s result: in place of its first positional literal of a kind
    `source` makes (a placeholder such as "combined.wav"), else as one more argument."""
    reference = Argument(value=f"<node-{source}>")
    for k, argument in enumerate(task.arguments):
        value = argument.value
        literal = isinstance(value, str) and argument.name is None and not argument.references()
        if literal and content_type(value) in kinds:
            task.arguments[k] = reference
            return
    task.arguments.append(reference)


def wire_orphans(plan: Plan, graph: ToolGraph) -> tuple[Plan, list[str]]:
    """A copy of the plan where a node after the first (topological order) that reads no
    other node's result, though its tool takes an input, reads the latest earlier node
    whose output type it takes (`_feed`); a node whose media inputs are files the request
    names keeps them. In a catalogue without data types nothing is wired. Notes say which."""
    if len(plan.subtasks) < 2 or plan.problems():
        return plan, []
    plan, notes = plan.model_copy(deep=True), []
    order = plan.topological_order()
    for position, node in enumerate(order[1:], start=1):
        task = plan.subtasks[node]
        if task.references() or task.capability not in graph:
            continue
        inputs = _inputs(graph, task.capability)
        if not inputs or _takes_user_files(task, inputs, plan.request):
            continue
        # nodes before it in topological order: none reads its result
        found = _latest_maker(plan, task.capability, order[:position], graph)
        if found is not None:
            _feed(task, *found)
            notes.append(f"graph wiring: node {node} <- node {found[0]}")
    return plan, notes


_REFERENCE = re.compile(r"<node-(\d+)>")
_MEDIA_EXTENSIONS = "|".join(IMAGE_EXTENSIONS + AUDIO_EXTENSIONS + VIDEO_EXTENSIONS)
# A file name the request gives (example.jpg, "my_song.mp3"), not the tail of a URL or path.
_REQUEST_FILE = re.compile(rf"(?<![\w/.:-])[\w-]+\.(?:{_MEDIA_EXTENSIONS})\b", re.IGNORECASE)


def request_files(request: str) -> list[str]:
    """The media files the request names, in the order it first names them."""
    return list(dict.fromkeys(_REQUEST_FILE.findall(request)))


def _given_kinds(plan: Plan, task: SubTask, graph: ToolGraph) -> Counter[str]:
    """How many inputs of each kind the node is given: a reference brings its node's output
    type, a literal its content type."""
    given: Counter[str] = Counter()
    for argument in task.arguments:
        sources = argument.references()
        if sources:
            for source in sources:
                given.update(_outputs(graph, plan.subtasks[source].capability))
        elif isinstance(argument.value, str) and argument.value.strip():
            given[content_type(argument.value)] += 1
    return given


def give_request_files(plan: Plan, graph: ToolGraph) -> tuple[Plan, list[str]]:
    """A copy of the plan where a media file the request names and no node reads is given
    to the first node (topological order) whose tool takes that kind of input and that is
    given fewer of that kind than it takes ("apply the style of example3.jpg to the
    panorama": the style transfer read the panorama only). Notes say which."""
    if not plan.subtasks or plan.problems():
        return plan, []
    read = {str(a.value) for task in plan.subtasks for a in task.arguments}
    unread = [f for f in request_files(plan.request) if not any(f in value for value in read)]
    if not unread:
        return plan, []
    plan, notes = plan.model_copy(deep=True), []
    order = plan.topological_order()
    for file in unread:
        kind = content_type(file)
        for node in order:
            task = plan.subtasks[node]
            if task.capability not in graph:
                continue
            takes = Counter(graph.spec(task.capability).inputs)[kind]
            if takes > _given_kinds(plan, task, graph)[kind]:
                task.arguments.append(Argument(value=file))
                notes.append(f"graph wiring: node {node} <- {file}")
                break
    return plan, notes


def read_latest_transform(plan: Plan, graph: ToolGraph) -> tuple[Plan, list[str]]:
    """A copy of the plan where a node reading node a's result reads node b's instead when
    b, written between the two, reads a too, makes the same type as a and feeds no node:
    the model copied `<node-a>` down a chain ("download the voiceover, reduce its noise,
    then synchronise it": the synchronisation reads the cleaned audio, not the download).
    A change that would make the plan invalid is not made. Notes say which."""
    if len(plan.subtasks) < 3 or plan.problems():
        return plan, []
    plan, notes = plan.model_copy(deep=True), []
    for task in plan.subtasks:
        for k, argument in enumerate(task.arguments):
            found = _REFERENCE.fullmatch(str(argument.value).strip())
            source = int(found.group(1)) if found else None
            later = None if source is None else _leaf_transform(plan, source, task.id, graph)
            if later is None:
                continue
            notes += _repoint(plan, task, k, later, source)
    return plan, notes


def _leaf_transform(plan: Plan, source: int, reader: int, graph: ToolGraph) -> int | None:
    """The last node written between `source` and `reader` that reads `source`, makes the
    type `source` makes and feeds no node; None when there is none."""
    fed = {ref for task in plan.subtasks for ref in task.references()}
    made = _outputs(graph, plan.subtasks[source].capability)
    between = [
        task.id
        for task in plan.subtasks
        if source < task.id < reader
        and source in task.references()
        and task.id not in fed
        and made
        and _outputs(graph, task.capability) == made
    ]
    return between[-1] if between else None


def _mention(request: str, task: SubTask) -> int | None:
    """Where the request first says one of the node's literal values (case-insensitive)."""
    text = request.lower()
    found = (
        text.find(value.lower().strip())
        for value in (a.value for a in task.arguments)
        if isinstance(value, str) and len(value.strip()) >= 2
    )
    return min((at for at in found if at >= 0), default=None)


def _clause_position(request: str, task: SubTask) -> int:
    """Where the request says a completion node's clause (its end when it does not)."""
    at = request.find(task.description) if task.description else -1
    return at if at >= 0 else len(request)


def _after(mention: int | None, position: int) -> bool:
    return mention is not None and mention > position


def chain_steps(plan: Plan, added: Sequence[int]) -> tuple[Plan, list[str]]:
    """A copy of a plan over a catalogue without data types, its steps linked one after
    another: the model's in the order it wrote them, each node the completion `added` before
    the first of them the request mentions after the node's clause. Without data types
    nothing says which step feeds which, and the order the request gives is the best guess
    (72 of the 78 multi-step dailylifeapis pool samples are chains). A plan with references
    or problems is left as it is."""
    if len(plan.subtasks) < 2 or plan.problems() or any(t.references() for t in plan.subtasks):
        return plan, []
    completed = set(added)
    order = [i for i in range(len(plan.subtasks)) if i not in completed]
    mentions = {i: _mention(plan.request, plan.subtasks[i]) for i in order}
    clause_at = {i: _clause_position(plan.request, plan.subtasks[i]) for i in added}
    for node in sorted(added, key=clause_at.__getitem__):
        later = [k for k, i in enumerate(order) if _after(mentions.get(i), clause_at[node])]
        order.insert(later[0] if later else len(order), node)
    links = list(itertools.pairwise(order))
    if set(links) == set(plan.links):
        return plan, []
    plan = plan.model_copy(deep=True)
    plan.links = links
    return plan, [f"graph wiring: steps chained in order {order}"]


def drop_stepless(plan: Plan) -> tuple[Plan, list[str]]:
    """A copy of the plan without the nodes the model wrote no step for (more nodes than
    steps, or an empty step: its over-generation), while some node has one; a node reading
    a dropped node's result reads what the dropped node read, or loses that argument when it
    read nothing. Notes say which."""
    stepless = {t.id for t in plan.subtasks if not t.description.strip()}
    if not stepless or len(stepless) == len(plan.subtasks) or plan.problems():
        return plan, []
    plan = plan.model_copy(deep=True)
    bypass: dict[int, int | None] = {}
    for task in plan.subtasks:  # ids in order: an earlier dropped node is resolved first
        if task.id in stepless:
            read = sorted(s for r in task.references() if (s := bypass.get(r, r)) is not None)
            bypass[task.id] = read[0] if read else None
            continue
        arguments = []
        for argument in task.arguments:
            sources = argument.references()
            if not sources or sources[0] not in stepless:
                arguments.append(argument)
            elif (source := bypass[sources[0]]) is not None:
                arguments.append(Argument(name=argument.name, value=f"<node-{source}>"))
        task.arguments = arguments
    kept = [t.id for t in plan.subtasks if t.id not in stepless]
    notes = [f"graph trim: node {node} has no step; dropped" for node in sorted(stepless)]
    return plan.renumbered(kept), notes


class GraphToolChooser:
    """Re-chooses the tools of a parsed plan (see the module docstring); the decomposer's
    `tool_chooser`. `wiring`: orphans fed by type (`wire_orphans`) and results read after
    their latest transform (`read_latest_transform`), or in a catalogue without data types
    the steps chained (`chain_steps`); `stepless`: nodes the model wrote no step for dropped
    first (`drop_stepless`); `files`: request files no node reads given to a node that takes
    them (`give_request_files`, typed catalogues, with the wiring); `cues`: a node for each
    tool a request word is a cue for (`add_cued_tools`, after the completion); `thread`: an
    added node that turns a kind into the same kind read by its feeder's readers instead
    (`thread_transforms`, typed catalogues). Returns the plan and notes on what changed."""

    def __init__(
        self,
        matcher: StepMatcher,
        graph: ToolGraph,
        llm_bonus: float = DEFAULT_LLM_BONUS,
        penalties: Penalties = Penalties(),
        completion: Completion | None = Completion(),
        wiring: bool = True,
        stepless: bool = True,
        files: bool = True,
        cues: RequestCues | None = None,
        thread: bool = True,
    ) -> None:
        self.matcher, self.graph, self.llm_bonus = matcher, graph, llm_bonus
        self.penalties, self.completion, self.wiring = penalties, completion, wiring
        self.stepless, self.files, self.cues, self.thread = stepless, files, cues, thread

    def __call__(self, plan: Plan) -> tuple[Plan, list[str]]:
        if not plan.subtasks or plan.problems():  # structure first: ids, references, cycles
            return plan, []
        trimmed: list[str] = []
        if self.stepless:
            plan, trimmed = drop_stepless(plan)
        weights = node_weights(plan, self.matcher, self.llm_bonus, self.graph, self.penalties.file)
        choice = choose_tools(plan, weights, self.matcher.names, self.graph, self.penalties)
        if choice is None:
            return plan, [*trimmed, "graph choice: no tools fit the plan's edges; kept the model's"]
        notes = trimmed + [
            f"graph choice: node {i} {plan.subtasks[i].capability} -> {choice.tools[i]}"
            for i in choice.changed
        ]
        plan = apply_choice(plan, choice)
        written = len(plan.subtasks)
        if self.completion is not None:
            plan, completed = complete_plan(plan, self.matcher, self.graph, self.completion)
            notes += completed
        if self.cues is not None:
            plan, cued = add_cued_tools(plan, self.cues, self.graph)
            notes += cued
        added = range(written, len(plan.subtasks))  # the completion's and the cues' nodes
        if self.thread and self.graph.typed:
            plan, threaded = thread_transforms(plan, added, self.graph)
            notes += threaded
        if self.wiring:
            if self.graph.typed:
                plan, wired = wire_orphans(plan, self.graph)
                plan, chained = read_latest_transform(plan, self.graph)
                wired += chained
                if self.files:
                    plan, given = give_request_files(plan, self.graph)
                    wired += given
            else:
                plan, wired = chain_steps(plan, added)
            notes += wired
        return plan, notes


def chooser_for(
    catalog: Catalog,
    solved: Iterable[tuple[Sequence[str], Sequence[str]]] = (),
    cache_dir: Path | None = None,
    requests: Iterable[tuple[str, Sequence[str]]] = (),
) -> GraphToolChooser | None:
    """The graph planner's tool chooser for a catalogue, its matcher trained on `solved`
    ((task_steps, node tools) pairs; none: the untrained matcher) and its request cues
    learned from `requests` ((request, node tools) pairs of the same samples), its LLM bonus
    the catalogue's own where it sets one (`Catalog.model_tool_bonus`). None when
    the catalogue has no tool graph to constrain a choice (a plain function list): the
    model's own choice of function stands there."""
    graph = ToolGraph.from_catalog(catalog)
    if graph.graph.number_of_edges() == 0:
        return None
    matcher = cached_matcher(catalog.tools, solved_pairs(solved), cache_dir)
    cues = RequestCues.from_solved(requests)
    return GraphToolChooser(matcher, graph, catalogue_bonus(catalog), cues=cues)


def catalogue_bonus(catalog: Catalog) -> float:
    """The LLM bonus the catalogue sets (`Catalog.model_tool_bonus`), or the default."""
    bonus = catalog.model_tool_bonus
    return DEFAULT_LLM_BONUS if bonus is None else bonus
