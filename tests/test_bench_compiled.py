"""bench/compiled.py, the compiled build against the pure one: its arguments, and its pure half
(the transcript digest a build is checked by). The build and the timings are the benchmark's
business, not this test's: it is not run in the suite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT


def _bench() -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))  # its own imports: common, peers, throughput
    try:
        spec = importlib.util.spec_from_file_location("compiled", ROOT / "bench" / "compiled.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


bench = _bench()


def test_the_arguments() -> None:
    args = bench.parser().parse_args(["--quick", "--rounds", "2", "--seeds", "3"])
    assert (args.quick, args.rounds, args.seeds) == (True, 2, 3)
    with pytest.raises(SystemExit):
        bench.parser().parse_args(["--seeds", "many"])


def test_the_pure_tree_plays_to_one_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = bench.stage(ROOT, tmp_path / "pure")
    bench.same({"pure": tree}, 1)
    out = capsys.readouterr().out
    personas = len(list((ROOT / "scenarios").glob("*.yaml")))
    assert out.startswith(f"(a) transcripts: the same bytes in pure ({personas} personas x 1 ")
    assert "sha256 " in out
