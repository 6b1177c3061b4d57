"""How many blind candidate questions the shipped personas understand as the labelled intent.
Run with the interpreter of the environment Closer is installed in:

    .venv/bin/python bench/questions.py /work/blind/set_a.jsonl [/work/blind/set_b.jsonl ...]

Each file is JSON Lines of {scenario, context, label, line}. Only lines in the `cq` context (the
interviewer has just asked for the candidate's questions) whose label starts with `ask_` are
scored; `other_question` lines are listed with what they matched (they should match no `ask_*`
intent). A line counts when `program.classify(normalize(line), program.listening(
"candidate_questions", normalize(line)))` returns the labelled intent. `--misses` lists the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import ROOT

from closer.engine import compile_scenario, load_path
from closer.engine.format.patterns import normalize


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the lines not understood")
    args = parser.parse_args()
    programs = {}
    for s in args.sets:
        rows = [json.loads(line) for line in s.read_text(encoding="utf-8").splitlines() if line]
        asks = [r for r in rows if r["context"] == "cq" and r["label"].startswith("ask_")]
        others = [r for r in rows if r["context"] == "cq" and r["label"] == "other_question"]
        right, misses = 0, []
        for r in asks + others:
            sid = r["scenario"]
            if sid not in programs:
                programs[sid] = compile_scenario(load_path(ROOT / "scenarios" / f"{sid}.yaml"))
            program = programs[sid]
            utt = normalize(r["line"])
            got = program.classify(utt, program.listening("candidate_questions", utt))
            intent = got.intent if got else None
            if r["label"] == "other_question":
                ok = intent is None or not intent.startswith("ask_")
            else:
                ok = intent == r["label"]
                right += ok
            if not ok or (args.misses and r["label"] == "other_question"):
                misses.append(f"  {sid:10} {r['label']:24} -> {intent}: {r['line']}")
        print(f"{s.name}: {right}/{len(asks)} ask_* lines understood as labelled")
        if args.misses:
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
