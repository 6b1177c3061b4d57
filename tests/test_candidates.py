"""Scripted candidates written blind (tests/data/candidates.json) through both shipped personas:
strong, average and evasive at least 10 points apart in that order, and an average candidate's
answers with a strong close at least 10 below a strong candidate (issue 9's floors). The table:
`.venv/bin/python bench/candidates.py`."""

from __future__ import annotations

import pytest

from tests.candidates import PERSONAS, Played, play_all

GAP = 10


@pytest.fixture(scope="module")
def played() -> dict[str, dict[str, Played]]:
    return play_all()


@pytest.mark.parametrize("persona", PERSONAS)
def test_strong_average_evasive_are_apart_in_order(
    played: dict[str, dict[str, Played]], persona: str
) -> None:
    r = played[persona]
    assert r["strong"].score - r["average"].score >= GAP
    assert r["average"].score - r["evasive"].score >= GAP
    assert [r[k].outcome for k in ("strong", "evasive")] == ["advance", "reject"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_good_close_does_not_make_average_answers_strong(
    played: dict[str, dict[str, Played]], persona: str
) -> None:
    r = played[persona]
    assert r["strong"].score - r["average + strong close"].score >= GAP


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_answers_alone_order_the_candidates(
    played: dict[str, dict[str, Played]], persona: str
) -> None:
    r = played[persona]
    assert r["strong"].quality > r["average"].quality > r["evasive"].quality
    assert r["average"].quality == r["average + strong close"].quality


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_interviewer_line_twice_in_a_row(
    played: dict[str, dict[str, Played]], persona: str
) -> None:
    for kind, p in played[persona].items():
        assert len(p.replies) > len(p.lines) // 2  # she spoke
        for before, after in zip(p.replies, p.replies[1:], strict=False):
            assert before != after, (kind, after)
