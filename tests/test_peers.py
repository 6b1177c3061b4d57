"""bench/peers.py, the benchmark against RiveScript and AIML: its bots load within the format's
limits at every size, and the Closer side answers every generated line as the benchmark checks
(no peer needed). Timing is the benchmark's business, not this test's."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from closer.engine import compile_scenario, load_scenario
from tests.helpers import ROOT


def _peers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peers", ROOT / "bench" / "peers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["peers"] = module
    spec.loader.exec_module(module)
    return module


peers = _peers()


@pytest.mark.parametrize("n", peers.SIZES)
def test_every_bot_loads_within_the_format_limits(n: int) -> None:
    chosen, _ = peers.triggers()
    program = compile_scenario(load_scenario(peers.closer_yaml(chosen, n), "peers.yaml"))
    mine = [i for i in program.scenario.intents if re.fullmatch(r"t\d{3}", i.id)]
    assert len(mine) == min(n, peers.INTENTS)
    assert sum(len(i.patterns) for i in mine) == n // peers.pack(n)


def test_misses_are_no_triggers_and_no_word_is_a_typo_of_another() -> None:
    chosen, misses = peers.triggers()
    assert len(set(chosen)) == len(chosen) == peers.SIZES[-1]
    assert not set(misses) & set(chosen)
    words = peers.vocabulary()
    close = [
        (a, b)
        for a in words
        for b in words
        if a < b and a[0] == b[0] and peers.one_typo_apart(a, b)
    ]
    assert close == []
    assert peers.one_typo_apart("bakodu", "bakodi") and peers.one_typo_apart("bakodu", "bkaodu")


@pytest.mark.parametrize("n", [10, 100])
def test_closer_answers_every_line_right(n: int, tmp_path: Path) -> None:
    peers.write_bots(tmp_path, (n,), 120)
    sent = json.loads((tmp_path / f"lines-{n}.json").read_text(encoding="utf-8"))
    assert sum(line["answer"] is None for line in sent) == 30  # 25% misses
    load, times = peers.run_closer(tmp_path / f"closer-{n}.yaml", sent)
    assert len(times) == len(sent) and load > 0


def test_a_wrong_reply_stops_the_benchmark(tmp_path: Path) -> None:
    peers.write_bots(tmp_path, (10,), 8)
    sent = json.loads((tmp_path / "lines-10.json").read_text(encoding="utf-8"))
    hit = next(line for line in sent if line["answer"] is not None)
    wrong = {**hit, "answer": peers.answer(999)}
    with pytest.raises(peers.WrongReply, match=re.escape("want 'Answer number 999.'")):
        peers.run_closer(tmp_path / "closer-10.yaml", [wrong])
    miss = next(line for line in sent if line["answer"] is None)
    with pytest.raises(peers.WrongReply):
        peers.run_closer(tmp_path / "closer-10.yaml", [{**miss, "answer": hit["answer"]}])
