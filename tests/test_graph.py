"""`closer graph`: the flow as a Graph value, and its Mermaid and DOT renderings."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from closer.cli.main import cli
from closer.engine.runtime.machine import ENDED
from closer.engine.runtime.program import CLEAR, CQ, DISCUSSION, Program
from closer.engine.tools.graph import CONCERNS, Graph, build_graph, concern_node, to_dot, to_mermaid
from tests.helpers import DEFAULT, compile_text

BASE = DEFAULT.read_text(encoding="utf-8")

# One Mermaid statement per line, in the only shapes the renderer writes. A label is a quoted
# string with no quote, bracket, brace, pipe, angle bracket, `;`, `%` or backtick, and `#` only
# as an entity code (`#34;`).
LABEL = r'"(?:[^"\[\]{}|<>;#%`\n]|#\d+;)*"'
MERMAID_LINE = re.compile(
    "|".join(
        [
            r"flowchart TD",
            r"  %% [^\n]*",
            rf"  subgraph g_\w+ \[{LABEL}\]",
            rf"    [sc]_\w+\[{LABEL}\]",
            r"  end",
            rf"  [gsc]_\w+ (?:-->|-\.->)\|{LABEL}\| [sc]_\w+",
        ]
    )
)
DOT_TOKEN = re.compile(r'\s*(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|\d+(?:\.\d+)?|->|[{}\[\];=,])')


def mermaid_ids(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    nodes = set(re.findall(r"^    ([sc]_\w+)\[", text, re.M))
    edges = re.findall(r"^  ([gsc]_\w+) -\.?->\|.*\| ([sc]_\w+)$", text, re.M)
    return nodes, edges


def check_mermaid(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    for line in lines:
        assert MERMAID_LINE.fullmatch(line), f"not a statement the renderer writes: {line!r}"
    assert text.count("  subgraph ") == len(re.findall(r"^  end$", text, re.M))
    nodes, edges = mermaid_ids(text)
    groups = set(re.findall(r"^  subgraph (g_\w+) ", text, re.M))
    for src, dest in edges:
        assert src in nodes | groups and dest in nodes, (src, dest)


def dot_statements(text: str) -> list[list[str]]:
    """Tokenise DOT (every character must belong to a token) and split into statements."""
    pos, tokens = 0, []
    while pos < len(text.rstrip()):
        m = DOT_TOKEN.match(text, pos)
        assert m and m.end() > pos, f"not DOT at {pos}: {text[pos : pos + 40]!r}"
        tokens.append(m.group().strip())
        pos = m.end()
    statements, current, depth, in_attrs = [], [], 0, False
    for tok in tokens:
        if tok == "[":
            in_attrs = True
        elif tok == "]":
            in_attrs = False
        if tok in "{};" and not in_attrs and len(tok) == 1:
            depth += {"{": 1, "}": -1, ";": 0}[tok]
            assert depth >= 0, "unbalanced braces"
            if current:
                statements.append(current)
            current = []
            continue
        current.append(tok)
    assert depth == 0 and not current, "unbalanced braces"
    return statements


def check_dot(text: str) -> None:
    statements = dot_statements(text)
    assert statements[0] == ["digraph", "closer"]
    declared, used, clusters = set(), [], set()
    for st in statements[1:]:
        if st[0] == "subgraph":
            clusters.add(st[1])
        elif len(st) > 2 and st[1] == "->":
            used += [st[0], st[2]]
            tails = [st[i + 2] for i, t in enumerate(st) if t == "ltail"]
            assert set(tails) <= clusters
        elif len(st) > 1 and st[1] == "[" and st[0] not in ("node", "edge"):
            declared.add(st[0])
    assert used and set(used) <= declared, set(used) - declared


@pytest.fixture(scope="module")
def graph(program: Program) -> Graph:
    return build_graph(program)


def test_every_state_is_a_node_in_its_phase(program: Program, graph: Graph) -> None:
    nodes = {n.id: n for n in graph.nodes}
    assert set(program.machine.states) <= set(nodes)
    for state in program.machine.states:
        assert nodes[state].group == program.phase(state)
    assert nodes["about_you"].span is not None and nodes["about_you"].span.line > 1
    assert graph.groups == (
        "opening", "questions", "candidate_questions", "closing", "ended", CONCERNS,
    )  # fmt: skip


def test_every_machine_edge_is_drawn(program: Program, graph: Graph) -> None:
    drawn = set()
    for e in graph.edges:
        sources = [n.id for n in graph.members(e.source)] if e.group else [e.source]
        drawn |= {(s, e.dest) for s in sources}
    for trigger, src, dest in program.machine.edges:
        if src == "opening" and dest == ENDED:
            continue  # never taken: the opening always moves on
        assert (src, dest) in drawn, (trigger, src, dest)


def test_labels_say_what_moves_the_flow(graph: Graph) -> None:
    labels = {(e.source, e.dest): [] for e in graph.edges}
    for e in graph.edges:
        labels[(e.source, e.dest)].append(e.label)
    assert "answer" in labels[("about_you", "system")]
    assert any(x.startswith('rule when "(never') and x.endswith("(goto)") for x in
               labels[("incident", "testing")])  # fmt: skip
    assert labels[("about_you", "about_you")] == ["follow-up (once, if no specifics)"]
    assert labels[(CQ, DISCUSSION)] == ["closing_question (a concern is pending)"]
    assert labels[(CQ, CLEAR)] == ["closing_question (nothing pending)"]
    assert labels[(DISCUSSION, CLEAR)] == ["anything_else (nothing more)"]
    assert labels[("questions", ENDED)] == ["goodbye / max_turns (80)"]
    assert "no_questions" in labels[(CQ, ENDED)][0]
    assert "probe: specific line" in labels[(DISCUSSION, DISCUSSION)]


def test_where_concerns_are_raised_and_revealed(graph: Graph) -> None:
    raised = {e.dest: e for e in graph.edges if e.kind == "raise"}
    tenure, oncall, speed = (raised[concern_node(c)] for c in ("tenure", "oncall", "speed"))
    assert (tenure.source, tenure.label) == ("opening", "background, at start if job_hopper")
    assert oncall.source == "questions" and oncall.label.startswith('misunderstanding: "')
    assert speed.group and speed.source == "questions" and speed.label.startswith("theme: 3x")
    revealed = {e.source for e in graph.edges if e.kind == "reveal" and e.dest == DISCUSSION}
    assert revealed == {n.id for n in graph.members(CONCERNS)}
    clues = {(e.label, e.dest) for e in graph.edges if e.kind == "clue"}
    assert ("clue: ask_why_open", concern_node("tenure")) in clues


def test_mermaid_has_every_state_and_edge(graph: Graph) -> None:
    text = to_mermaid(graph)
    check_mermaid(text)
    nodes, edges = mermaid_ids(text)
    assert len(nodes) == len(graph.nodes) and len(edges) == len(graph.edges)
    assert "s_closing_discussion" in nodes and "c_tenure" in nodes
    assert '  s_about_you -->|"answer"| s_system' in text.splitlines()
    assert '  g_questions -->|"goodbye / max_turns #40;80#41;"| s_ended' not in text  # () kept
    assert '  g_questions -->|"goodbye / max_turns (80)"| s_ended' in text.splitlines()
    assert text.count("-.->") == sum(1 for e in graph.edges if e.kind != "flow")


def test_dot_is_a_digraph_with_every_node_declared(graph: Graph) -> None:
    text = to_dot(graph)
    check_dot(text)
    assert text.startswith("digraph closer {\n") and text.endswith("}\n")
    assert text.count(" -> ") == len(graph.edges)
    assert "subgraph cluster_closing {" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
@pytest.mark.parametrize("which", ["default", "hostile"])
def test_graphviz_accepts_the_dot(graph: Graph, which: str) -> None:
    g = graph if which == "default" else build_graph(hostile())
    proc = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(g), capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # no warnings either
    assert proc.stdout.count('class="node"') == len(g.nodes)


# YAML double-quoted: \" and \\ are escapes (a line break would be refused, E052)
EVIL = r"\"]) --> x; [y] {{}} %% |<b>#1 ` \\l"


def hostile() -> Program:
    """The default scenario with a question, a concern title and the title set to EVIL."""
    text = BASE.replace('ask: "First, walk me through your background."', f'ask: "{EVIL}"').replace(
        "title: Will you stay?", f'title: "{EVIL}"'
    )
    text = re.sub(r"^title: .*$", lambda _: f'title: "{EVIL}"', text, count=1, flags=re.M)
    return compile_text(text)


def test_hostile_labels_are_escaped() -> None:
    graph = build_graph(hostile())
    assert any('"]) --> x;' in n.label for n in graph.nodes)  # the value really is hostile
    mermaid, dot = to_mermaid(graph), to_dot(graph)
    check_mermaid(mermaid)
    check_dot(dot)
    want = (
        "#34;#93;) --#62; x#59; #91;y#93; #123;#123;#125;#125; "
        "#37;#37; #124;#60;b#62;#35;1 #96; #92;l"
    )
    assert f's_about_you["about_you: {want}"]' in mermaid
    assert r's_about_you [label="about_you: \"]) --> x; [y] {{}} %% |<b>#1 ` \\l"' in dot


def test_a_scenario_without_concerns_has_no_concern_group() -> None:
    text = BASE[: BASE.index("\nconcerns:")] + "\n"
    text = re.sub(r"\n\s+clue: \w+", "", text)
    graph = build_graph(compile_text(text))
    assert CONCERNS not in graph.groups
    assert not [e for e in graph.edges if e.source == DISCUSSION and e.dest == DISCUSSION]
    check_mermaid(to_mermaid(graph))
    check_dot(to_dot(graph))


def test_cli_graph(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["graph", "ledgerline"])
    assert result.exit_code == 0, result.output
    check_mermaid(result.output)
    out = tmp_path / "flow.dot"
    result = runner.invoke(cli, ["graph", str(DEFAULT), "--format", "dot", "-o", str(out)])
    assert result.exit_code == 0 and result.output == ""
    check_dot(out.read_text(encoding="utf-8"))


def test_cli_graph_mistakes(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["graph", "ledgerlin"])
    assert result.exit_code == 1
    assert result.output == "closer: unknown scenario 'ledgerlin'; did you mean 'ledgerline'?\n"
    result = runner.invoke(cli, ["graph", "ledgerline", "--format", "png"])
    assert result.exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("severity: 3", "severity: 9", 1), encoding="utf-8")
    result = runner.invoke(cli, ["graph", str(bad)])
    assert result.exit_code == 1 and "E034" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["graph", "ledgerline", "-o", str(tmp_path / "no" / "f.mmd")])
    assert result.exit_code == 1 and result.output.startswith("closer: cannot write ")


def test_a_concern_scoped_with_during_is_raised_from_its_question(default_text: str) -> None:
    text = default_text.replace("    order: 3\n", "    order: 3\n    during: [oncall]\n", 1)
    scoped = build_graph(compile_text(text))
    raised = {e.dest: e for e in scoped.edges if e.kind == "raise"}
    assert raised[concern_node("oncall")].source == "oncall"
