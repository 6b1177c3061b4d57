"""docs/authoring.md is a tutorial people follow step by step: what it shows must be true."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from closer.engine import ScenarioError, load_scenario
from tests.helpers import compile_text, play

DOC = Path(__file__).resolve().parent.parent / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(yaml|text)\n(.*?)^```", re.M | re.S)


def blocks(kind: str) -> list[str]:
    return [
        m.group(2) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8")) if m.group(1) == kind
    ]


def whole_file() -> str:
    return blocks("yaml")[-1]


def fragments() -> list[str]:
    return [b for b in blocks("yaml")[:-1] if not b.startswith("closer_test:")]


def test_every_fragment_is_a_piece_of_the_whole_file() -> None:
    whole = whole_file()
    assert len(fragments()) >= 9
    for fragment in fragments():
        assert fragment in whole, fragment[:80]


def test_the_fragments_in_order_build_the_whole_file() -> None:
    """Nothing in the final file is missing from the steps (blank lines and order aside)."""
    steps = [line for f in fragments() for line in f.splitlines() if line.strip()]
    assert steps == [line for line in whole_file().splitlines() if line.strip()]


def test_the_whole_file_is_clean_under_strict(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from closer.cli.main import cli

    path = tmp_path / "riverside.yaml"
    path.write_text(whole_file(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--strict", str(path)])
    assert (result.exit_code, result.stdout) == (0, f"{path}: ok\n")


def test_the_error_shown_in_step_1_is_the_real_one() -> None:
    early = "".join(fragments()[:4])
    try:
        load_scenario(early, "riverside.yaml")
    except ScenarioError as e:
        assert "\n".join(map(str, e.diagnostics)) + "\n" == blocks("text")[0]
    else:
        raise AssertionError("step 1 should not load yet")


def test_the_tutorial_conversations_do_what_the_test_says() -> None:
    program = compile_text(whole_file(), "riverside.yaml")
    spec = yaml.safe_load(next(b for b in blocks("yaml") if b.startswith("closer_test:")))
    for case in spec["cases"]:
        _, events = play(program, [s["say"] for s in case["steps"]], seed=spec["seed"])
        turns = {e["turn"]: [] for e in events}
        for e in events:
            turns[e["turn"]].append(e)
        for n, step in enumerate(case["steps"], start=1):
            for cid, status in step.get("concerns", {}).items():
                st = [
                    e["status"]
                    for t in turns
                    if t <= n
                    for e in turns[t]
                    if e["event"] == "concern" and e["concern"] == cid
                ]
                if status == "hidden":
                    assert not {"hinted", "revealed"} & set(st), (case["name"], n, cid)
                else:
                    assert st and st[-1] == status, (case["name"], n, cid, st)
            if "cue" in step:
                cues = [e["kind"] for e in turns[n] if e["event"] == "cue"]
                assert cues == [step["cue"]], (case["name"], n, cues)
        verdict = [e["outcome"] for e in events if e["event"] == "verdict"]
        assert verdict == [case["expect"]["verdict"]]
