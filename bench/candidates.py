"""Scripted candidates through both shipped personas: the verdict and score of a strong, an
average and an evasive candidate, and of an average candidate's answers followed by the strong
candidate's close. The scripts (tests/data/candidates.json) were written blind, by someone who
had not seen how Closer understands or judges a line. Run with the interpreter of the
environment Closer is installed in:

    .venv/bin/python bench/candidates.py [--seed 1]

"answers" is the mean share of each question's points that its answers earned (judge.py). The
floors (issue 9): strong, average and evasive at least 10 points apart in that order, and
"average + strong close" at least 10 below strong; tests/test_candidates.py checks them.
"""

from __future__ import annotations

import argparse

from common import ROOT  # noqa: F401  (puts the repository on sys.path)


def main() -> None:
    from tests.candidates import KINDS, play_all

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    played = play_all(args.seed)
    w = max(len("persona"), *(len(p) for p in played))
    print(f"{'persona':<{w}} {'candidate':<23} {'verdict':<10} {'score':>5} {'answers':>8}")
    for persona, results in played.items():
        for kind in KINDS:
            p = results[kind]
            print(f"{persona:<{w}} {kind:<23} {p.outcome:<10} {p.score:>5} {p.quality:>8.2f}")
    for persona, r in played.items():
        gaps = (
            r["strong"].score - r["average"].score,
            r["average"].score - r["evasive"].score,
            r["strong"].score - r["average + strong close"].score,
        )
        print(
            f"{persona}: strong-average {gaps[0]}, average-evasive {gaps[1]}, "
            f"strong-(average + strong close) {gaps[2]} (floor 10 each)"
        )


if __name__ == "__main__":
    main()
