"""The interview's flow as a diagram: a `Graph` value built from a compiled `Program`, and two
renderers for it, Mermaid (`flowchart TD`) and Graphviz DOT (`digraph`).

The state edges come from `program.machine.edges` (the `transitions` machine a session really
moves along); their labels, the self-loops that do not move the machine (follow-ups, probes,
candidate questions) and the hidden concerns come from the scenario and from how
`runtime.session` behaves. Everything from the file that reaches the output goes through
`_mermaid_text` or `_dot_text`, and every identifier through `_ident`, so a label cannot break out
into the diagram syntax.

Why not `transitions.extensions.diagrams.GraphMachine`: its Mermaid backend writes a
`stateDiagram-v2` with trigger names (`advance`, `close`, `leave`) as labels and copies labels
unescaped; its DOT output needs the `graphviz` package; and neither knows about phases, intents or
concerns, which are what an author wants to see. The emitters below are short and dependency-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from closer.engine.errors import Span
from closer.engine.format import model as m
from closer.engine.runtime.machine import ENDED
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Program

CONCERNS = "concerns"  # the group that holds the concern nodes (not a phase)
GROUPS = (*m.PHASES, CONCERNS)
GROUP_TITLES = {CONCERNS: "hidden concerns"}
MAX_LABEL = 60


@dataclass(frozen=True)
class Node:
    """A state of the flow (`kind` "state") or a hidden concern (`kind` "concern")."""

    id: str  # the state name, or "concern:<id>"
    label: str
    group: str  # a phase, or CONCERNS
    kind: str
    span: Span | None = None


@dataclass(frozen=True)
class Edge:
    """From a node id (or, with `group`, from every node of the group `source`) to a node id.

    `kind`: "flow" (the session moves, or stays, in the flow), "raise" (a concern becomes active
    inside the interviewer's head), "reveal" (it is brought up), "clue" (an answer hints at it).
    """

    source: str
    dest: str
    label: str
    kind: str = "flow"
    group: bool = False


@dataclass(frozen=True)
class Graph:
    title: str
    groups: tuple[str, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def members(self, group: str) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.group == group)


def concern_node(cid: str) -> str:
    return f"concern:{cid}"


# ---- building -----------------------------------------------------------------------------


def build_graph(program: Program) -> Graph:
    """The flow of `program` as nodes (grouped by phase) and labelled edges (pure)."""
    sc = program.scenario
    nodes = [_state_node(program, s) for s in program.machine.states]
    nodes += _concern_nodes(program)
    edges = _machine_edges(program)
    edges += _loops(program)
    edges += _concern_edges(program)
    used = [g for g in GROUPS if any(n.group == g for n in nodes)]
    return Graph(sc.title, tuple(used), tuple(nodes), tuple(edges))


def _state_node(program: Program, state: str) -> Node:
    q = program.questions.get(state)
    if q is not None:
        return Node(state, f"{state}: {q.ask[0]}", "questions", "state", q.span)
    return Node(state, state, program.phase(state), "state")


def _concern_nodes(program: Program) -> list[Node]:
    return [
        Node(
            concern_node(c.id),
            f"{c.id}: {c.title} (severity {c.severity})",
            CONCERNS,
            "concern",
            c.span,
        )
        for c in program.concerns
    ]


def _quoted(pats: tuple[m.Pat, ...]) -> str:
    """The first pattern, shortened, and how many more there are: `"shut* down" +2`."""
    if not pats:
        return '""'
    first = pats[0].source
    first = first if len(first) <= 32 else first[:29] + "..."
    more = f" +{len(pats) - 1}" if len(pats) > 1 else ""
    return f'"{first}"{more}'


def _machine_edges(program: Program) -> list[Edge]:
    """One labelled edge per way the session takes each machine edge."""
    out: list[Edge] = []
    leave: list[str] = []
    for trigger, src, dest in program.machine.edges:
        if trigger == "leave":
            leave.append(src)
        elif src == "opening":
            out.append(Edge(src, dest, "any reply"))
        elif src in program.questions:
            for e in program.exits[src]:
                if e.dest != dest:
                    continue
                if e.rule is None:
                    out.append(Edge(src, dest, "answer"))
                else:
                    goto = " (goto)" if e.rule.goto else ""
                    out.append(Edge(src, dest, f"rule when {_quoted(e.rule.patterns)}{goto}"))
        else:
            out.append(Edge(src, dest, _CLOSE_LABELS[(src, dest)]))
    out += _leave_edges(program, leave)
    return list(dict.fromkeys(out))


_CLOSE_LABELS = {
    (CQ, DISCUSSION): "closing_question (a concern is pending)",
    (CQ, CLEAR): "closing_question (nothing pending)",
    (CLEAR, DISCUSSION): "anything_else (a concern is pending)",
    (DISCUSSION, CLEAR): "anything_else (nothing more)",
}


def _leave_edges(program: Program, sources: Iterable[str]) -> list[Edge]:
    """`leave` edges, one per phase where every state has one (the opening has none)."""
    limit = f"max_turns ({program.scenario.max_turns})"
    labels = {
        "questions": f"goodbye / {limit}",
        "candidate_questions": f"no_questions / goodbye / {limit}",
        "closing": f"no_questions / goodbye / {limit}",
    }
    by_phase: dict[str, list[str]] = {}
    for s in sources:
        by_phase.setdefault(program.phase(s), []).append(s)
    out = []
    for phase, states in by_phase.items():
        if phase not in labels:
            continue
        if len(states) > 1:
            out.append(Edge(phase, ENDED, labels[phase], group=True))
        else:
            out.append(Edge(states[0], ENDED, labels[phase]))
    return out


_FOLLOW_UP_WHEN = {
    "always": "once",
    "missing_specifics": "once, if no specifics",
    "missing_result": "once, after a story with no result",
    "missing_numbers": "once, after a story with no number",
    "told_a_story": "once, after a story",
}


def _loops(program: Program) -> list[Edge]:
    """Turns that keep the machine where it is."""
    out = []
    for q in program.scenario.flow.questions:
        if q.follow_up:
            when = _FOLLOW_UP_WHEN[q.follow_up_if]
            out.append(Edge(q.id, q.id, f"follow-up ({when})"))
    out.append(Edge(CQ, CQ, "candidate question: answer"))
    if program.concerns:
        out += [
            Edge(DISCUSSION, DISCUSSION, "probe: specific line"),
            Edge(DISCUSSION, DISCUSSION, "answer: resolved / partly / worsened"),
            Edge(DISCUSSION, DISCUSSION, "anything_else (next concern)"),
        ]
    return out


def _concern_edges(program: Program) -> list[Edge]:
    out: list[Edge] = []
    for c in program.concerns:
        node = concern_node(c.id)
        if c.source == "background":
            fact = f" if {c.when_fact}" if c.when_fact else ""
            out.append(Edge("opening", node, f"background, at start{fact}", "raise"))
        else:
            if c.source == "theme" and c.theme is not None:
                label = f"theme: {c.theme.at_least}x {_quoted(c.theme.patterns)}"
            else:
                label = f"{c.source}: {_quoted(c.triggers)}"
            if c.when_fact:
                label += f" if {c.when_fact}"
            if c.during:
                out += [Edge(q, node, label, "raise") for q in c.during]
            else:
                out.append(Edge("questions", node, f"{label} (any line)", "raise", group=True))
        probes = f"after {c.probes} probe{'s' if c.probes > 1 else ''}" if c.probes else "at once"
        out.append(Edge(node, DISCUSSION, f"order {c.order}: vague, specific {probes}", "reveal"))
    for a in program.scenario.flow.answers:
        if a.clue:
            out.append(Edge(CQ, concern_node(a.clue), f"clue: {a.intent}", "clue"))
    return out


# ---- rendering ----------------------------------------------------------------------------


def _ident(name: str, prefix: str = "") -> str:
    """A safe identifier for both syntaxes: ASCII letters, digits and _ only, and a prefix, so
    never a keyword (`end`, `graph`, `node` ...): `s_` a state, `c_` a concern, `g_`/`cluster_`
    a group. Loaded ids are already plain names; anything else is spelled out in hex."""
    if not prefix:
        concern = name.startswith("concern:")
        prefix, name = ("c_", name[len("concern:") :]) if concern else ("s_", name)
    return prefix + "".join(
        c if (c.isascii() and c.isalnum()) or c == "_" else f"_x{ord(c):x}_" for c in name
    )


def _short(text: str) -> str:
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= MAX_LABEL else flat[: MAX_LABEL - 3] + "..."


_MERMAID_SAFE = frozenset(" .,:'!?/_-*@+=~$()")


def _mermaid_text(text: str) -> str:
    """Text for inside a Mermaid "quoted label": anything not plainly safe becomes an entity code
    (`#34;` for a quote), so no quote, bracket, pipe, `;`, `%` or `#` reaches the syntax."""
    return "".join(c if c.isalnum() or c in _MERMAID_SAFE else f"#{ord(c)};" for c in _short(text))


def _dot_text(text: str) -> str:
    """Text for inside a DOT "quoted string" (backslash first, so `\\l` and `\\N` stay literal)."""
    return _short(text).replace("\\", "\\\\").replace('"', '\\"')


def _where(span: Span | None) -> str:
    return "" if span is None else _short(str(span))


def _group_title(group: str) -> str:
    return GROUP_TITLES.get(group, group)


def to_mermaid(graph: Graph) -> str:
    """A Mermaid `flowchart TD`: phases as subgraphs, concern edges dotted."""
    lines = ["flowchart TD", f"  %% {_mermaid_text(graph.title)}"]
    for group in graph.groups:
        lines.append(f'  subgraph {_ident(group, "g_")} ["{_mermaid_text(_group_title(group))}"]')
        for n in graph.members(group):
            lines.append(f'    {_ident(n.id)}["{_mermaid_text(n.label)}"]')
        lines.append("  end")
    for e in graph.edges:
        src = _ident(e.source, "g_") if e.group else _ident(e.source)
        arrow = "-->" if e.kind == "flow" else "-.->"
        lines.append(f'  {src} {arrow}|"{_mermaid_text(e.label)}"| {_ident(e.dest)}')
    lines += [
        f"  %% {_ident(n.id)}: {_mermaid_text(_where(n.span))}" for n in graph.nodes if n.span
    ]
    return "\n".join(lines) + "\n"


_DOT_STYLE = {
    "flow": "",
    "raise": ", style=dashed, color=firebrick",
    "reveal": ", style=dashed, color=darkgreen",
    "clue": ", style=dotted, color=gray40",
}


def to_dot(graph: Graph) -> str:
    """A Graphviz `digraph`: phases as clusters; an edge from a group leaves its cluster."""
    lines = [
        "digraph closer {",
        f'  label="{_dot_text(graph.title)}";',
        '  labelloc=t; compound=true; rankdir=TB; fontname="Helvetica";',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    first: dict[str, str] = {}
    for group in graph.groups:
        members = graph.members(group)
        first[group] = members[0].id
        lines.append(f"  subgraph {_ident(group, 'cluster_')} {{")
        lines.append(f'    label="{_dot_text(_group_title(group))}";')
        for n in members:
            shape = ", shape=note" if n.kind == "concern" else ""
            tip = f', tooltip="{_dot_text(_where(n.span))}"' if n.span else ""
            lines.append(f'    {_ident(n.id)} [label="{_dot_text(n.label)}"{shape}{tip}];')
        lines.append("  }")
    for e in graph.edges:
        tail = ""
        src = e.source
        if e.group:
            tail = f", ltail={_ident(src, 'cluster_')}"
            src = first[src]
        attrs = f'label="{_dot_text(e.label)}"{tail}{_DOT_STYLE[e.kind]}'
        lines.append(f"  {_ident(src)} -> {_ident(e.dest)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


RENDERERS = {"mermaid": to_mermaid, "dot": to_dot}
