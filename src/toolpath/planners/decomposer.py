"""The decomposer: a request and a tool catalogue -> a `Plan` (a DAG of tool calls).

The LLM reads the tool docs (zero-shot; k solved examples are added when a selector is
given) and answers in TaskBench's format, under a JSON schema that enumerates the
catalogue's tool names, so an unknown tool cannot be emitted by a backend that enforces
schemas. The answer is parsed, validated against the plan rules and the tool graph
(links must be edges the graph allows, `<node-j>` in range, acyclic) and repaired where a
repair is unambiguous; what cannot be repaired is fed back to the model, a bounded number
of times. `refine` decomposes one sub-task more finely (ADaPT) and splices it in.

A catalogue of OpenAI functions (`typed_arguments`) is planned as function calls instead
(planners.function_calls): arguments typed by each function's JSON schema, one call per
thing asked, and possibly no call at all, with the reason.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

import networkx as nx
from pydantic import BaseModel, Field

from toolpath.planners import function_calls, prompts
from toolpath.planners.alignment import node_descriptions
from toolpath.planners.graph import ToolGraph
from toolpath.planners.llm import ChatModel, Usage
from toolpath.planners.media import content_type
from toolpath.planners.plan import Argument, Plan, SubTask
from toolpath.planners.references import (
    INPUT_REF,
    counts_from_one,
    map_refs,
    map_strings,
    renumber,
)
from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.spec import ToolSpec

_WORD = re.compile(r"[a-z0-9]+")


class Example(BaseModel):
    """A solved request in TaskBench's format (a demonstration for the planner)."""

    request: str
    task_steps: list[str] = Field(default_factory=list)
    task_nodes: list[dict[str, Any]] = Field(default_factory=list)
    task_links: list[dict[str, str]] = Field(default_factory=list)


class Decomposition(BaseModel):
    """The plan, its TaskBench prediction, and how it was obtained."""

    plan: Plan
    taskbench: dict[str, Any]
    attempts: int
    usage: Usage
    notes: list[str] = Field(default_factory=list)  # each attempt's problems and repairs
    raw: str = ""
    first_raw: str = ""
    tools_in_prompt: list[str] = Field(default_factory=list)
    reason: str = ""  # why the plan is empty (function calls: no function fits)


class DecompositionError(RuntimeError):
    """No valid plan after the allowed attempts."""

    def __init__(
        self,
        message: str,
        *,
        notes: list[str],
        raw: str,
        usage: Usage,
        attempts: int,
        first_raw: str = "",
    ):
        super().__init__(message)
        self.notes, self.raw, self.usage, self.attempts = notes, raw, usage, attempts
        self.first_raw = first_raw or raw


# -- TaskBench format <-> Plan --------------------------------------------------------------
def _argument(value: Any) -> Argument:
    if isinstance(value, dict) and "name" in value:
        return Argument(name=str(value["name"]), value=value.get("value"))
    return Argument(value=value)


def _link_indices(links: list[dict[str, str]], tasks: list[str]) -> list[tuple[int, int]]:
    """Map name links onto node indices; a repeated tool links its nearest earlier use."""
    positions: dict[str, list[int]] = {}
    for index, task in enumerate(tasks):
        positions.setdefault(task, []).append(index)
    pairs = []
    for link in links:
        sources = positions.get(str(link.get("source")), [])
        for target in positions.get(str(link.get("target")), []):
            earlier = [s for s in sources if s < target]
            others = [s for s in sources if s != target]
            if earlier or others:
                pairs.append((max(earlier) if earlier else others[0], target))
                break
    return list(dict.fromkeys(pairs))


def plan_from_taskbench(
    d: dict[str, Any], request: str = "", argument_style: str | None = None
) -> Plan:
    """A `Plan` from a TaskBench prediction or label (task_steps, task_nodes, task_links).

    `task_links` become plan links in the "named" style (dailylifeapis, function lists);
    in the "resource" style edges come from `<node-j>` references, as TaskBench scores
    them. Without a style it is inferred: named when no argument is a plain value.
    """
    nodes = d.get("task_nodes") or []
    descriptions = node_descriptions(
        [str(s) for s in d.get("task_steps") or []],
        [str(n.get("task", "")) if isinstance(n, dict) else "" for n in nodes],
    )
    subtasks = []
    for index, node in enumerate(nodes):
        arguments = node.get("arguments") or []
        if not isinstance(arguments, list):
            arguments = [arguments]
        subtasks.append(
            SubTask(
                id=index,
                description=descriptions[index],
                capability=str(node.get("task", "")),
                arguments=[_argument(a) for a in arguments],
            )
        )
    tasks = [t.capability for t in subtasks]
    if argument_style is None:
        positional = any(arg.name is None for t in subtasks for arg in t.arguments)
        argument_style = "resource" if positional else "named"
    named = argument_style == "named"
    links = _link_indices(d.get("task_links") or [], tasks) if named else []
    return Plan(request=request or str(d.get("user_request", "")), subtasks=subtasks, links=links)


def plan_to_taskbench(plan: Plan, argument_style: str) -> dict[str, Any]:
    """TaskBench's prediction format for the plan, in the catalogue's argument style."""
    nodes = []
    for task in plan.subtasks:
        if argument_style == "named":
            arguments: list[Any] = [
                {"name": a.name or "", "value": a.value} for a in task.arguments
            ]
        else:
            arguments = [a.value for a in task.arguments]
        nodes.append({"task": task.capability, "arguments": arguments})
    names = [t.capability for t in plan.subtasks]
    links = [
        {"source": names[src], "target": names[dst]}
        for src, dst in sorted(plan.edges())
        if 0 <= src < len(names) and 0 <= dst < len(names)
    ]
    return {
        "task_steps": [t.description for t in plan.subtasks],
        "task_nodes": nodes,
        "task_links": links,
    }


def in_execution_order(plan: Plan) -> Plan:
    """The plan with its nodes renumbered in topological order (references follow)."""
    return plan.renumbered(plan.topological_order())


# -- repair ---------------------------------------------------------------------------------
def _replace_ref(value: Any, old: int, new: int | None) -> Any:
    """Re-point `<node-old>` to `<node-new>`, or remove it when `new` is None."""
    replacement = "" if new is None else f"<node-{new}>"
    value = map_refs(value, lambda j: replacement if j == old else None)
    return map_strings(value, str.strip)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _literals(task: SubTask) -> set[str]:
    """The argument values of a task that are not references, as JSON text."""
    return {
        json.dumps(arg.value, sort_keys=True, default=str)
        for arg in task.arguments
        if not arg.references() and not _empty(arg.value)
    }


def _rewire(task: SubTask, old: int, new: int | None) -> None:
    """Apply `_replace_ref` to every argument, dropping positional ones left empty."""
    kept = []
    for arg in task.arguments:
        if old not in arg.references():
            kept.append(arg)
            continue
        value = _replace_ref(arg.value, old, new)
        if arg.name is not None or not _empty(value):
            kept.append(Argument(name=arg.name, value=value))
    task.arguments = kept


class PlanRepairer:
    """Fixes what has one sensible fix; reports what it changed and what is left."""

    def __init__(self, names: list[str], graph: ToolGraph | None) -> None:
        self.names = names
        self.graph = graph
        self.check_edges = graph is not None and graph.graph.number_of_edges() > 0

    def allows(self, source: str, target: str) -> bool:
        return not self.check_edges or self.graph.allows(source, target)  # type: ignore[union-attr]

    def unknown_tools(self, plan: Plan) -> list[str]:
        known = set(self.names)
        return [t.capability for t in plan.subtasks if t.capability not in known]

    def problems(self, plan: Plan) -> list[str]:
        """Everything wrong, as messages the model can act on."""
        found = [str(p) for p in plan.problems(self.names)]
        names = [t.capability for t in plan.subtasks]
        for src, dst in sorted(plan.edges()):
            in_range = 0 <= src < len(names) and 0 <= dst < len(names)
            if in_range and not self.allows(names[src], names[dst]):
                found.append(
                    f"node {dst} ({names[dst]}{self._needs(names[dst])}) cannot take the "
                    f"output of node {src} ({names[src]}{self._gives(names[src])})"
                    + self._suggest(plan, dst)
                )
        if not plan.subtasks:
            found.append("plan: no task_nodes")
        return found

    def _suggest(self, plan: Plan, node: int) -> str:
        options = self.substitutes(plan, node)
        return f"; tools that fit there: {', '.join(options[:6])}" if options else ""

    def _needs(self, name: str) -> str:
        spec = self._spec(name)
        return f", needs {'/'.join(spec.inputs)}" if spec and spec.inputs else ""

    def _gives(self, name: str) -> str:
        spec = self._spec(name)
        return f", gives {'/'.join(spec.outputs)}" if spec and spec.outputs else ""

    def _spec(self, name: str) -> ToolSpec | None:
        if self.graph is None or name not in self.graph:
            return None
        return self.graph.spec(name)

    # The repair steps, in the order they run (`repair(skip=...)` leaves some out).
    STEPS = (
        "tool_names",
        "one_based_references",
        "repeated_nodes",
        "self_chains",
        "references",
        "surplus_arguments",
        "literal_inputs",
        "links",
        "cycles",
    )

    # Steps on the answer as written, before it is read into a plan.
    ANSWER_STEPS = ("linked_nodes",)

    def _check_skip(self, skip: tuple[str, ...]) -> None:
        known = (*self.ANSWER_STEPS, *self.STEPS)
        unknown = set(skip) - set(known)
        if unknown:
            raise ValueError(f"unknown repair steps {sorted(unknown)}; known: {known}")

    def repair_answer(
        self, answer: dict[str, Any], *, skip: tuple[str, ...] = ()
    ) -> tuple[dict[str, Any], list[str]]:
        """The answer with the tools its `task_links` name but its `task_nodes` lack added
        as nodes (arguments unknown): the model planned those steps, then left them out
        of the node list. Without this, reading the answer drops those links."""
        self._check_skip(skip)
        nodes = answer.get("task_nodes")
        links = answer.get("task_links")
        if "linked_nodes" in skip or not isinstance(nodes, list) or not isinstance(links, list):
            return answer, []
        have = {node.get("task") for node in nodes if isinstance(node, dict)}
        added = []
        for link in links:
            ends = (link.get("source"), link.get("target")) if isinstance(link, dict) else ()
            for name in ends:
                if name in self.names and name not in have:
                    have.add(name)
                    added.append(name)
        if not added:
            return answer, []
        answer = {**answer, "task_nodes": [*nodes, *({"task": n, "arguments": []} for n in added)]}
        return answer, [f"repaired: added nodes for linked tools {', '.join(added)}"]

    def repair(
        self, plan: Plan, *, fix_edges: bool = True, skip: tuple[str, ...] = ()
    ) -> tuple[Plan, list[str]]:
        """A repaired copy of the plan and the list of repairs made.

        With `fix_edges` False, references and links the tool graph forbids are left for
        the model to fix from feedback (its choice of tool may be what is wrong). `skip`
        names steps of `STEPS` to leave out (to measure what each one adds)."""
        self._check_skip(skip)
        plan = plan.model_copy(deep=True)
        notes: list[str] = []
        steps = {
            "tool_names": lambda: self._fix_names(plan, notes),
            "one_based_references": lambda: self._fix_one_based(plan, notes),
            "repeated_nodes": lambda: self._drop_repeats(plan, notes),
            "self_chains": lambda: self._drop_self_chains(plan, notes),
            "references": lambda: self._fix_references(plan, notes, fix_edges),
            "surplus_arguments": lambda: self._trim_arguments(plan, notes),
            "literal_inputs": lambda: self._wire_literal_inputs(plan, notes),
            "links": lambda: self._fix_links(plan, notes, fix_edges),
            "cycles": lambda: self._break_cycles(plan, notes),
        }
        for name in self.STEPS:
            if name not in skip:
                steps[name]()
            if name == "tool_names":
                self._fix_ids(plan)
        return plan, notes

    def _drop_repeats(self, plan: Plan, notes: list[str]) -> None:
        """A node repeating an earlier one (same tool, same arguments) goes; its consumers
        read the earlier node (small models often loop on a step)."""
        seen: dict[str, int] = {}
        dropped: set[int] = set()
        for task in plan.subtasks:
            key = json.dumps(
                [task.capability, [a.model_dump() for a in task.arguments]], default=str
            )
            if key not in seen:
                seen[key] = task.id
                continue
            first = seen[key]
            dropped.add(task.id)
            self._drop_node(plan, task.id, into=first)
            notes.append(f"repaired: node {task.id} repeated node {first}; dropped")
        if dropped:
            plan.subtasks = [t for t in plan.subtasks if t.id not in dropped]
            self._fix_ids(plan)

    def _drop_self_chains(self, plan: Plan, notes: list[str]) -> None:
        """A node that only feeds a tool's output back into the same tool, adding no value
        of its own, goes; its consumers read the node it fed on. Small models loop on a step
        (Text-to-Speech six times over); no solved TaskBench sample has a tool feeding itself.
        A node bringing a new value (merge the merged model with one more) stays."""
        dropped: dict[int, int] = {}
        for task in plan.subtasks:
            sources = {dropped.get(ref, ref) for ref in task.references()} - {task.id}
            if len(sources) != 1 or min(sources) > task.id:  # one earlier node only
                continue
            (source,) = sources
            parent = next((t for t in plan.subtasks if t.id == source), None)
            if parent is None or parent.capability != task.capability:
                continue
            if not _literals(task) <= _literals(parent):
                continue
            dropped[task.id] = source
            self._drop_node(plan, task.id, into=source)
            notes.append(f"repaired: node {task.id} fed {task.capability} into itself; dropped")
        if dropped:
            plan.subtasks = [t for t in plan.subtasks if t.id not in dropped]
            self._fix_ids(plan)

    def _trim_arguments(self, plan: Plan, notes: list[str]) -> None:
        """Positional arguments beyond the tool's inputs are cut (TaskBench labels give one
        per input type). References stay (they are the plan's links, and a wrong one is
        fed back); the free slots keep, per input type, the first value of that kind."""
        for task in plan.subtasks:
            spec = self._spec(task.capability)
            inputs = [t.lower() for t in spec.inputs] if spec else []
            positional = all(a.name is None for a in task.arguments)
            if not inputs or not positional or len(task.arguments) <= len(inputs):
                continue
            keep = [i for i, a in enumerate(task.arguments) if a.references()]
            for wanted in inputs[len(keep) :]:
                match = next(
                    (
                        i
                        for i, a in enumerate(task.arguments)
                        if i not in keep and content_type(str(a.value)) == wanted
                    ),
                    None,
                )
                if match is None:
                    match = next(i for i in range(len(task.arguments)) if i not in keep)
                keep.append(match)
            cut = len(task.arguments) - len(keep)
            if cut <= 0:
                continue
            task.arguments = [task.arguments[i] for i in sorted(keep)]
            notes.append(
                f"repaired: node {task.id}: {cut} argument(s) beyond the inputs of "
                f"{task.capability} ({', '.join(inputs)}) removed"
            )

    def _output_kind(self, name: str) -> str | None:
        spec = self._spec(name)
        return spec.outputs[0].lower() if spec and spec.outputs else None

    def _wire_literal_inputs(self, plan: Plan, notes: list[str]) -> None:
        """A media file named again (already an input of an earlier argument) where an
        earlier node makes that kind of media and nobody reads it is that node's output:
        small models copy the request's file name down a chain instead of `<node-j>`."""
        seen: set[str] = set()
        consumed = {ref for task in plan.subtasks for ref in task.references()}
        for task in plan.subtasks:
            for index, arg in enumerate(task.arguments):
                value = arg.value if isinstance(arg.value, str) else None
                if value is None or arg.references():
                    continue
                kind = content_type(value)
                if kind == "text" or value not in seen:
                    seen.add(value)
                    continue
                source = next(
                    (
                        i
                        for i in range(task.id - 1, -1, -1)
                        if i not in consumed
                        and self._output_kind(plan.subtasks[i].capability) == kind
                        and self.allows(plan.subtasks[i].capability, task.capability)
                    ),
                    None,
                )
                if source is None:
                    continue
                task.arguments[index] = Argument(name=arg.name, value=f"<node-{source}>")
                consumed.add(source)
                notes.append(
                    f"repaired: node {task.id}: {value!r} named again; reads <node-{source}>"
                )

    def _fix_names(self, plan: Plan, notes: list[str]) -> None:
        lowered = {n.lower().replace("_", " "): n for n in self.names}
        kept = []
        for task in plan.subtasks:
            if task.capability in self.names:
                kept.append(task)
                continue
            key = task.capability.lower().replace("_", " ")
            match = lowered.get(key) or next(
                iter(difflib.get_close_matches(task.capability, self.names, n=1, cutoff=0.75)),
                None,
            )
            if match:
                notes.append(f"repaired: unknown tool {task.capability!r} -> {match!r}")
                task.capability = match
                kept.append(task)
            else:
                notes.append(f"repaired: dropped node with unknown tool {task.capability!r}")
                self._drop_node(plan, task.id)
        plan.subtasks = [t for t in plan.subtasks if t in kept]

    @staticmethod
    def _drop_node(plan: Plan, node: int, into: int | None = None) -> None:
        """Detach `node`: its consumers and links move to node `into`, or go when None.
        (The caller removes the node itself from `plan.subtasks`.)"""
        for task in plan.subtasks:
            if task.id != node:
                _rewire(task, node, into)
        moved = [(into if s == node else s, into if d == node else d) for s, d in plan.links]
        plan.links = [(s, d) for s, d in moved if s is not None and d is not None and s != d]

    @staticmethod
    def _fix_ids(plan: Plan) -> None:
        """Renumber nodes 0..n-1, keeping references and links pointing at the same nodes."""
        mapping = {task.id: index for index, task in enumerate(plan.subtasks)}
        if all(old == new for old, new in mapping.items()):
            return
        for task in plan.subtasks:
            for arg in task.arguments:
                arg.value = renumber(arg.value, mapping)
        plan.links = [
            (mapping[s], mapping[d]) for s, d in plan.links if s in mapping and d in mapping
        ]
        for index, task in enumerate(plan.subtasks):
            task.id = index

    def _nearest_feeder(self, plan: Plan, node: int, avoid: set[int]) -> int | None:
        """The closest earlier node whose tool may feed this node's tool."""
        target = plan.subtasks[node].capability
        for candidate in range(node - 1, -1, -1):
            if candidate not in avoid and self.allows(plan.subtasks[candidate].capability, target):
                return candidate
        return None

    @staticmethod
    def _fix_one_based(plan: Plan, notes: list[str]) -> None:
        """References numbered from 1 (self or one-past-the-end references that all fit
        when shifted down by one) are shifted down by one."""
        n = len(plan.subtasks)
        pairs = [(t.id, ref) for t in plan.subtasks for ref in t.references()]
        if not counts_from_one(pairs, n):
            return
        shift = {j: j - 1 for j in range(1, n + 1)}
        for task in plan.subtasks:
            for arg in task.arguments:
                arg.value = renumber(arg.value, shift)
        notes.append("repaired: <node-j> references were numbered from 1; shifted to 0-based")

    def substitutes(self, plan: Plan, node: int) -> list[str]:
        """Tools that give what node's tool gives and fit all its inputs and consumers."""
        spec = self._spec(plan.subtasks[node].capability)
        if spec is None or not spec.outputs or not self.check_edges:
            return []
        n = len(plan.subtasks)
        parents = [p for p in plan.parents(node) if 0 <= p < n and p != node]
        children = [c for c in range(n) if node in plan.parents(c) and c != node]
        names = [plan.subtasks[i].capability for i in range(n)]
        return [
            other.name
            for other in self.graph.specs()  # type: ignore[union-attr]
            if other.name in self.names
            and other.name != spec.name
            and set(other.outputs) == set(spec.outputs)
            and all(self.allows(names[p], other.name) for p in parents)
            and all(self.allows(other.name, names[c]) for c in children)
        ]

    def _fix_references(self, plan: Plan, notes: list[str], fix_edges: bool = True) -> None:
        """Self references go; out-of-range or disallowed ones move to the nearest feeder."""
        n = len(plan.subtasks)
        for task in plan.subtasks:
            for ref in sorted(task.references()):
                if ref == task.id:
                    new = None
                elif 0 <= ref < n and (
                    not fix_edges or self.allows(plan.subtasks[ref].capability, task.capability)
                ):
                    continue
                else:
                    new = self._nearest_feeder(plan, task.id, {task.id, ref})
                _rewire(task, ref, new)
                what = "removed" if new is None else f"re-pointed to <node-{new}>"
                notes.append(f"repaired: node {task.id}: reference <node-{ref}> {what}")

    def _fix_links(self, plan: Plan, notes: list[str], fix_edges: bool = True) -> None:
        n = len(plan.subtasks)
        kept = []
        for src, dst in plan.links:
            if not (0 <= src < n and 0 <= dst < n) or src == dst:
                notes.append(f"repaired: link {src}->{dst} removed (out of range)")
            elif fix_edges and not self.allows(
                plan.subtasks[src].capability, plan.subtasks[dst].capability
            ):
                notes.append(f"repaired: link {src}->{dst} removed (not an edge of the tool graph)")
            else:
                kept.append((src, dst))
        plan.links = list(dict.fromkeys(kept))

    @staticmethod
    def _break_cycles(plan: Plan, notes: list[str]) -> None:
        while True:
            graph = plan.graph()
            try:
                cycle = nx.find_cycle(graph)
            except nx.NetworkXNoCycle:
                return
            src, dst = max(cycle, key=lambda edge: edge[0] - edge[1])  # the most backward edge
            if (src, dst) in plan.links:
                plan.links.remove((src, dst))
            _rewire(plan.subtasks[dst], src, None)
            notes.append(f"repaired: removed edge {src}->{dst} that closed a cycle")


# -- tool pre-selection fallback ------------------------------------------------------------
def lexical_tool_selector(tools: list[ToolSpec]) -> Callable[[str, int], list[str]]:
    """Rank tools by word overlap with the request (used when no retriever is handed in)."""
    vocab = {s.name: set(_WORD.findall(f"{s.name} {s.doc}".lower())) for s in tools}

    def select(request: str, k: int) -> list[str]:
        words = set(_WORD.findall(request.lower()))
        ranked = sorted(
            tools, key=lambda s: -len(words & vocab[s.name]) / (1 + len(vocab[s.name])) ** 0.5
        )
        return [s.name for s in ranked[:k]]

    return select


# -- the decomposer -------------------------------------------------------------------------
class Decomposer:
    """Request + catalogue -> validated `Plan`, through a `ChatModel`."""

    def __init__(
        self,
        llm: ChatModel,
        catalog: Catalog,
        *,
        graph: ToolGraph | None = None,
        demo_selector: Callable[[str, int], list[Example]] | None = None,
        k_demos: int = 0,
        tool_selector: Callable[[str, int], list[str]] | None = None,
        max_tools_in_prompt: int = 40,
        max_retries: int = 2,
        repair: bool = True,
        doc_chars: int = 160,
        max_tokens: int = 512,
        tool_chooser: Callable[[Plan], tuple[Plan, list[str]]] | None = None,
        function_output: str = "free",
        function_style: str = "tags",
        today: Callable[[], dt.date | None] = dt.date.today,
    ) -> None:
        if not catalog.tools:
            raise ValueError(f"catalogue {catalog.name!r} has no tools")
        self.llm = llm
        self.catalog = catalog
        self.graph = graph or ToolGraph.from_catalog(catalog)
        self.demo_selector = demo_selector
        self.k_demos = k_demos
        self.tool_selector = tool_selector
        self.max_tools_in_prompt = max_tools_in_prompt
        self.max_retries = max_retries
        self.repair = repair
        self.doc_chars = doc_chars
        self.max_tokens = max_tokens
        self.tool_chooser = tool_chooser
        self.function_output = function_output
        self.function_style = function_style
        self.today = today  # the date stated to the function caller, read per request
        self.style = catalog.argument_style
        self._specs = {spec.name: spec for spec in catalog.tools}

    # -- prompt ----------------------------------------------------------------------------
    def tools_for(self, request: str) -> list[ToolSpec]:
        """All tools, or the most relevant `max_tools_in_prompt` of a large catalogue."""
        if len(self.catalog.tools) <= self.max_tools_in_prompt:
            return list(self.catalog.tools)
        selector = self.tool_selector or lexical_tool_selector(self.catalog.tools)
        chosen = [n for n in selector(request, self.max_tools_in_prompt) if n in self._specs]
        chosen = list(dict.fromkeys(chosen))[: self.max_tools_in_prompt]
        if not chosen:
            raise ValueError("the tool selector returned no tool of the catalogue")
        order = {spec.name: i for i, spec in enumerate(self.catalog.tools)}
        return [self._specs[n] for n in sorted(chosen, key=order.__getitem__)]

    def messages(self, request: str, tools: list[ToolSpec]) -> list[dict[str, str]]:
        """System (instructions + tool docs), then demonstrations, then the request."""
        messages = [
            {"role": "system", "content": prompts.system_prompt(tools, self.style, self.doc_chars)}
        ]
        if self.demo_selector is not None and self.k_demos > 0:
            for example in self.demo_selector(request, self.k_demos)[: self.k_demos]:
                messages.append(
                    {"role": "user", "content": prompts.request_message(example.request)}
                )
                answer = prompts.demo_answer(self._clean_demo(example), self.style)
                messages.append({"role": "assistant", "content": answer})
        messages.append({"role": "user", "content": prompts.request_message(request)})
        return messages

    def _clean_demo(self, example: Example) -> dict[str, Any]:
        """A demonstration as the model should answer: references repaired, nodes in
        execution order (TaskBench labels often list nodes alphabetically)."""
        raw = example.model_dump()
        try:
            parsed = plan_from_taskbench(raw, argument_style=self.style)
            plan, _ = PlanRepairer(self.catalog.names(), None).repair(parsed)
            ordered = plan_to_taskbench(in_execution_order(plan), self.style)
        except (ValueError, KeyError, nx.NetworkXException):
            return raw
        ordered["task_steps"] = raw["task_steps"]
        return ordered

    # -- decoding --------------------------------------------------------------------------
    def decompose(self, request: str) -> Decomposition:
        """Plan the request; raises `DecompositionError` if no valid plan comes back."""
        if not request.strip():
            raise ValueError("the request is empty")
        tools = self.tools_for(request)
        if self.catalog.typed_arguments:
            return self._call_functions(request, tools)
        return self._run(request, self.messages(request, tools), tools)

    def _call_functions(self, request: str, tools: list[ToolSpec]) -> Decomposition:
        """Function calls with typed arguments (an OpenAI-function catalogue)."""
        caller = function_calls.FunctionCaller(
            self.llm,
            tools,
            output=self.function_output,
            style=self.function_style,
            max_retries=self.max_retries,
            max_tokens=self.max_tokens,
            today=self.today(),
        )
        result = caller.call(request)
        if result.problems:
            raise DecompositionError(
                f"no valid calls after {result.attempts} attempts: "
                + "; ".join(result.problems[:3]),
                notes=result.notes,
                raw=result.raw,
                usage=result.usage,
                attempts=result.attempts,
                first_raw=result.first_raw,
            )
        taskbench = plan_to_taskbench(result.plan, self.style)
        taskbench["tool_calls"] = function_calls.tool_calls(result.plan)
        if result.reason:
            taskbench["reason"] = result.reason
        return Decomposition(
            plan=result.plan,
            taskbench=taskbench,
            attempts=result.attempts,
            usage=result.usage,
            notes=result.notes,
            raw=result.raw,
            first_raw=result.first_raw,
            tools_in_prompt=[s.name for s in tools],
            reason=result.reason,
        )

    def _run(
        self, request: str, messages: list[dict[str, str]], tools: list[ToolSpec]
    ) -> Decomposition:
        schema = prompts.output_schema(tools, self.style)
        repairer = PlanRepairer([s.name for s in tools], self.graph)
        usage, errors, raw, first_raw = Usage(), [], "", ""
        for attempt in range(1, self.max_retries + 2):
            completion = self.llm.complete(messages, schema=schema, max_tokens=self.max_tokens)
            usage, raw = usage + completion.usage, completion.text
            first_raw = first_raw or raw
            last = attempt == self.max_retries + 1
            plan, problems, notes = self._check(raw, request, repairer, fix_edges=last)
            errors.extend(f"attempt {attempt}: {m}" for m in [*problems, *notes])
            if plan is not None and not problems:
                return Decomposition(
                    plan=plan,
                    taskbench=plan_to_taskbench(plan, self.style),
                    attempts=attempt,
                    usage=usage,
                    notes=errors,
                    raw=raw,
                    first_raw=first_raw,
                    tools_in_prompt=[s.name for s in tools],
                )
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": prompts.feedback_message(problems)},
            ]
        raise DecompositionError(
            f"no valid plan after {self.max_retries + 1} attempts: " + "; ".join(errors[-3:]),
            notes=errors,
            raw=raw,
            usage=usage,
            attempts=self.max_retries + 1,
            first_raw=first_raw,
        )

    def _check(
        self, raw: str, request: str, repairer: PlanRepairer, *, fix_edges: bool = True
    ) -> tuple[Plan | None, list[str], list[str]]:
        """(plan or None, problems left, repairs made); edges the tool graph forbids are
        repaired only when `fix_edges` (the last attempt), fed back before that."""
        try:
            answer = json.loads(raw)
        except json.JSONDecodeError as exc:
            return None, [f"the answer is not valid JSON ({exc.msg} at char {exc.pos})"], []
        if not isinstance(answer, dict) or not isinstance(answer.get("task_nodes"), list):
            return None, ['the answer must be an object with a "task_nodes" list'], []
        notes: list[str] = []
        if self.repair:
            answer, notes = repairer.repair_answer(answer)
        try:
            plan = plan_from_taskbench(answer, request, self.style)
        except (ValueError, TypeError, AttributeError) as exc:
            return None, [f"malformed task_nodes: {exc}"], []
        if self.tool_chooser is not None:
            # Tools are chosen with the edges as the model wrote them, then the repair
            # fits references and arguments to the chosen tools. A loop of one tool is
            # left to the choice (its steps may say what each node should be) and dropped
            # after it when it is still a loop.
            plan, more = (
                repairer.repair(plan, fix_edges=False, skip=("self_chains",))
                if self.repair
                else (plan, [])
            )
            chosen, choice_notes = self.tool_chooser(plan)
            plan, notes = chosen, [*notes, *more, *choice_notes]
        if self.repair:
            plan, more = repairer.repair(plan, fix_edges=fix_edges or bool(self.tool_chooser))
            notes += more
        return plan, repairer.problems(plan), notes

    # -- ADaPT -----------------------------------------------------------------------------
    def refine(self, plan: Plan, subtask: int, reason: str) -> Plan:
        """Replace sub-task `subtask` by a finer sub-plan, renumbering and re-linking."""
        if not 0 <= subtask < len(plan.subtasks):
            raise ValueError(f"sub-task {subtask} is not in the plan (0..{len(plan.subtasks) - 1})")
        task = plan.subtasks[subtask]
        inputs = [_input_placeholders(a.value) for a in task.arguments]
        step = task.description or task.capability
        tools = self.tools_for(f"{step} {plan.request}")
        messages = self.messages(step, tools)
        messages[-1] = {
            "role": "user",
            "content": prompts.refine_message(
                plan.request, step, task.capability, [str(i) for i in inputs], reason
            ),
        }
        sub = self._run(step, messages, tools).plan
        return splice(plan, subtask, sub)


def _input_placeholders(value: Any) -> Any:
    """`<node-j>` -> `<input-j>`: how a sub-plan names the outer plan's outputs."""
    return map_refs(value, lambda j: f"<input-{j}>")


def splice(plan: Plan, subtask: int, sub: Plan) -> Plan:
    """Put `sub`'s nodes in place of node `subtask`; consumers of it read `sub`'s sink."""
    m = len(sub.subtasks)
    if m == 0:
        raise ValueError("the refined sub-plan is empty")
    outer = {i: (i if i < subtask else i + m - 1) for i in range(len(plan.subtasks))}
    sinks = [t.id for t in sub.subtasks if not any(d for s, d in sub.edges() if s == t.id)]
    sink = subtask + (max(sinks) if sinks else m - 1)
    outer[subtask] = sink
    new_tasks: list[SubTask] = []
    for task in plan.subtasks[:subtask]:
        new_tasks.append(_moved(task, task.id, outer))
    for task in sub.subtasks:
        moved = task.model_copy(deep=True)
        moved.id = subtask + task.id
        for arg in moved.arguments:
            arg.value = renumber(arg.value, {j: subtask + j for j in range(m)})
            arg.value = _inputs_to_nodes(arg.value, outer)
        new_tasks.append(moved)
    for task in plan.subtasks[subtask + 1 :]:
        new_tasks.append(_moved(task, outer[task.id], outer))
    links = [(outer[s], outer[d]) for s, d in plan.links]
    links += [(subtask + s, subtask + d) for s, d in sub.links]
    refined = Plan(request=plan.request, subtasks=new_tasks, links=list(dict.fromkeys(links)))
    return refined.validate_plan()


def _moved(task: SubTask, new_id: int, mapping: dict[int, int]) -> SubTask:
    moved = task.model_copy(deep=True)
    moved.id = new_id
    for arg in moved.arguments:
        arg.value = renumber(arg.value, mapping)
    return moved


def _inputs_to_nodes(value: Any, mapping: dict[int, int]) -> Any:
    """`<input-j>` references of a refined sub-plan turned into `<node-k>` of the whole plan."""
    return renumber(value, mapping, INPUT_REF)
