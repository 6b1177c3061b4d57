"""Intent recognition measured on held-out paraphrase sets (tests/data/paraphrases*.yaml).

The sets were written by people who had not seen the patterns. The run prints recall and false
positives; the thresholds are the product's bar: >= 90% recall on the closing question with at
most one near miss taken for it, and >= 80% accuracy on the other standard intents.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.patterns import normalize
from engine.program import Program

DATA = Path(__file__).parent / "data"
SETS = ["paraphrases.yaml", "paraphrases_heldout.yaml", "paraphrases_final.yaml"]


def classify(program: Program, text: str) -> str | None:
    match = program.classify(normalize(text), frozenset(i.id for i in program.intents))
    return match.intent if match else None


def load(name: str) -> dict[str, Any]:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SETS)
def test_closing_question_recall_and_false_positives(program: Program, name: str) -> None:
    data = load(name)
    phrasings = data["closing_question"]
    missed = [t for t in phrasings if classify(program, t) != "closing_question"]
    false_pos = [
        c["text"] for c in data["near_misses"] if classify(program, c["text"]) == "closing_question"
    ]
    recall = 1 - len(missed) / len(phrasings)
    print(
        f"\n{name}: closing-question recall {recall:.1%} ({len(phrasings) - len(missed)}/"
        f"{len(phrasings)}), false positives {len(false_pos)}/{len(data['near_misses'])}"
    )
    for t in missed:
        print(f"  missed: {t}")
    for t in false_pos:
        print(f"  false positive: {t}")
    assert len(phrasings) >= 30 and len(data["near_misses"]) >= 30
    assert recall >= 0.90
    assert len(false_pos) <= 1


@pytest.mark.parametrize("name", SETS)
def test_other_standard_intents(program: Program, name: str) -> None:
    data = load(name)
    wrong: list[tuple[str, str, str | None]] = []
    totals: Counter[str] = Counter()
    for intent, texts in data["others"].items():
        for t in texts:
            totals[intent] += 1
            got = classify(program, t)
            if got != intent:
                wrong.append((intent, t, got))
    near = [(c["intent"], c["text"], classify(program, c["text"])) for c in data["near_misses"]]
    near_wrong = [n for n in near if n[0] != n[2]]
    total = sum(totals.values())
    accuracy = 1 - len(wrong) / total
    print(
        f"\n{name}: other intents {accuracy:.1%} ({total - len(wrong)}/{total}); near misses "
        f"labelled right {len(near) - len(near_wrong)}/{len(near)}"
    )
    by_intent = Counter(w[0] for w in wrong)
    for intent in sorted(totals):
        print(f"  {intent:<24} {totals[intent] - by_intent[intent]}/{totals[intent]}")
    for expected, t, got in wrong + near_wrong:
        print(f"  {t!r}: expected {expected}, got {got}")
    assert accuracy >= 0.80
