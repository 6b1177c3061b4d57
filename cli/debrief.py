"""The debrief in words: for the terminal (`text`), or as a Markdown document a coach can read
(`markdown`). The engine's `Debrief` holds what happened, each statement about the candidate with
the quote and turn that ground it; this module only words it.

Every text from a scenario or a transcript goes through `clean` (and, in Markdown, `md_escape`)
before it is shown, so it cannot drive the terminal or forge a line or a heading."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from closer.cli.text import clean
from closer.engine.tools.debrief import (
    AnswerReport,
    ConcernReport,
    Debrief,
    Departure,
    Quote,
    Scorecard,
    Tip,
)

if TYPE_CHECKING:
    from closer.cli.render import Painter

OUTCOMES = {"advance": "Would advance", "undecided": "On the fence", "reject": "Would not advance"}
SEVERITY = {1: "minor", 2: "real", 3: "serious"}
SOURCES = {
    "background": "from your background",
    "said": "from something you said",
    "theme": "from what you kept emphasising",
    "misunderstanding": "a misunderstanding",
}
STATUS = {
    "raised": "never surfaced",
    "hinted": "hinted at, never made specific",
    "revealed": "out in the open, not addressed",
    "partly_resolved": "partly resolved",
    "resolved": "resolved",
    "worsened": "made worse",
    "preempted": "pre-empted",
}
BEFORE = {
    "questions": "before the interview questions were over",
    "closing_question": "before you asked the closing question",
    "closing": "before the closing discussion was over",
}
SHOWS = {
    "example": "a concrete example",
    "numbers": "numbers",
    "ownership": "what you did yourself",
    "result": "a result",
    "on_topic": "an answer to the question asked",
}
LACKS = {
    "example": "no concrete example",
    "numbers": "no numbers",
    "ownership": "nothing about what you did yourself",
    "result": "no result",
    "on_topic": "nothing on the question asked",
}
FLAGS = {
    "evasive": "avoided the question",
    "thin": "was very short",
    "only_we": 'said "we" but never what you did',
    "off_topic": "did not clearly answer the question asked",
    "red_flag": "raised a red flag",
}
WIDTH = 78
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    """Text that Markdown shows as it is: its markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def count(n: int, noun: str) -> str:
    return f"one {noun}" if n == 1 else f"{n} {noun}s"


def and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class Words:
    """How text from a file or a transcript is shown: cleaned, and escaped for Markdown."""

    def __init__(self, persona: str, markdown: bool = False) -> None:
        self.markdown = markdown
        self.persona = self.t(persona)

    def t(self, text: str) -> str:
        text = clean(text)
        return md_escape(text) if self.markdown else text

    def said(self, text: str) -> str:
        return f'"{self.t(text)}"'

    def q(self, quote: Quote) -> str:
        """A quote and its turn: `"…" (turn 7)`."""
        return f"{self.said(quote.text)} (turn {quote.turn})"


# ---- sentences ------------------------------------------------------------------------------


DRAWN = {
    "background": "from your background",
    "said": "from something you say",
    "theme": "from what you keep emphasising",
    "misunderstanding": "from a misunderstanding",
}


def drill_line(w: Words, d: Debrief) -> str:
    """`Drill, seed 7: the concerns drawn were "A" and "B".` and what the verdict rests on."""
    assert d.drill is not None
    titles = [w.said(t) for t in d.drill.titles]
    if not titles:
        drew = "no concerns were drawn (this persona holds none)"
    elif len(titles) == 1:
        drew = f"the concern drawn was {titles[0]}"
    else:
        drew = f"the concerns drawn were {and_list(titles)}"
    return (
        f"Drill, seed {d.drill.seed}: {drew}. No interview questions were asked, so the verdict "
        "rests on the close alone."
    )


def departure(left: Departure) -> str:
    return f"You left at turn {left.turn}, {BEFORE.get(left.before, 'before the end')}."


def verdict(w: Words, d: Debrief) -> str:
    outcome = f"{OUTCOMES[d.outcome]} ({d.score}/100)"
    if d.left is not None:
        return f"Where {w.persona} stood when you left: {outcome}"
    return f"Verdict: {outcome}"


def concern_head(w: Words, r: ConcernReport) -> str:
    """`Title (severity, source): status`, without repeating what the title already says."""
    source = SOURCES[r.source]
    parts = [SEVERITY.get(r.severity, str(r.severity))]
    title = r.title
    if source.lower() in title.lower():
        # "Won't carry the pager (a misunderstanding)": one parenthesis, not two side by side
        title = re.sub(rf"\s*\(\s*{re.escape(source)}\s*\)\s*$", "", title, flags=re.I)
    if title != r.title or source.lower() not in title.lower():
        parts.append(source)
    return f"{w.t(title)} ({', '.join(parts)}): {STATUS.get(r.status, r.status)}"


def concern_lines(w: Words, r: ConcernReport) -> list[str | list[str]]:
    """What happened to one concern, a sentence each (a list: sub-items)."""
    out: list[str | list[str]] = []
    if r.drawn:
        came = f": {w.said(r.background)}" if r.background else "."
        out.append(f"Drawn for this drill; in an interview it comes {DRAWN[r.source]}{came}")
    elif r.trigger is not None and r.source == "theme":
        out.append(f"Raised by what you kept emphasising, last when you said {w.q(r.trigger)}.")
        earlier = [w.q(q) for q in r.emphasis if q.turn != r.trigger.turn]
        if earlier:
            out.append("Before that: " + "; ".join(earlier) + ".")
    elif r.trigger is not None and r.source == "misunderstanding":
        out.append(f"Raised when {w.persona} misread what you said: {w.q(r.trigger)}.")
    elif r.trigger is not None:
        out.append(f"Raised when you said {w.q(r.trigger)}.")
    elif r.source == "background" and r.background:
        out.append(f"Raised by your background: {w.said(r.background)}")
    elif r.source == "background":
        out.append("Raised by your background, from the start.")
    else:
        out.append(f"Raised at turn {r.trigger_turn}.")
    if r.said_aloud:
        out.append(f"{w.persona} said aloud: {w.said(r.said_aloud[0])}")
    out.append(f"{w.persona} thought: {w.said(r.thought)}")
    if r.preempted_by is not None:
        out.append(
            f"Pre-empted: you answered it before it came up, when you said {w.q(r.preempted_by)}."
        )
    if r.worsened_by is not None:
        out.append(f"Made worse when you said {w.q(r.worsened_by)}.")
    for q in r.unheard_probes:
        out.append(f"Your question {w.q(q)} was not picked up as asking what {w.persona} meant.")
    if r.answered_early is not None:
        out.append(
            f"You answered before you knew what the concern really was: {w.q(r.answered_early)}."
        )
    if r.evidence:
        out.append("Evidence that counted:")
        kinds: dict[Quote | None, list[str]] = {}  # one item per line that carried some
        for e in r.evidence:
            kinds.setdefault(e.quote, []).append(w.t(e.kind))
        out.append([f"{w.q(q)}: {and_list(k)}" if q else and_list(k) for q, k in kinds.items()])
    if r.status not in ("resolved", "preempted") and r.missing:
        out.append("What was missing: " + "; ".join(w.t(x) for x in r.missing) + ".")
    return out


# a flag that already says what a lack would say again
_SAID_BY = {"only_we": "ownership", "off_topic": "on_topic", "evasive": "on_topic"}


def answer_line(w: Words, a: AnswerReport) -> str:
    parts = [FLAGS[f] for f in a.flags if f in FLAGS]
    covered = {_SAID_BY[f] for f in a.flags if f in _SAID_BY}
    lacks = [LACKS[x] for x in a.lacks if x in LACKS and x not in covered]
    if lacks:
        parts.append("had " + and_list(lacks))
    what = and_list(parts) or "was weak"
    question, said = a.question, a.quote
    if not a.flags and a.first is not None and a.first_question is not None:
        question, said = a.first_question, a.first  # a lack: the question as first asked
    return f"Your answer to {w.said(question)} (turn {said.turn}: {w.said(said.text)}) {what}."


def strongest_line(w: Words, a: AnswerReport) -> str:
    shows = and_list([SHOWS[x] for x in a.shows if x in SHOWS])
    return (
        f"Your strongest answer was to {w.said(a.question)} (turn {a.quote.turn}: "
        f"{w.said(a.quote.text)}): it had {shows}."
    )


def scorecard_lines(w: Words, d: Debrief) -> list[tuple[str, str]]:
    c: Scorecard = d.scorecard

    def yes(v: bool | None) -> str:
        return "n/a" if v is None else ("yes" if v else "no")

    rows = [("Asked", f"yes, at turn {c.turn}: {w.said(c.closing.text)}" if c.closing else "no")]
    if c.too_early:
        first = c.too_early[0]
        rows.append(("Asked too early (put off)", f"{times(c.premature)}, first {w.q(first)}"))
    if not c.asked:
        chance = "n/a"
    elif c.chance is not None:
        chance = f"yes: {w.q(c.chance)}"
    else:
        chance = "no"
    rows.append(("Asked for a chance to respond", chance))
    probed = yes(c.probed)
    if c.probed is None and any(r.unheard_probes for r in d.concerns):
        probed = f"you tried, but {w.persona} did not pick it up"
    rows.append(("Probed before answering", probed))
    rows.append(('Asked "anything else?"', yes(c.anything_else if c.asked else None)))
    if c.weak_forms:
        rows.append(('"How did I do?" instead', f"{times(c.weak_forms)} (a polite non-answer)"))
    return rows


def clue_line(w: Words, question: Quote, title: str) -> str:
    return f"When you asked {w.q(question)}, the answer hinted at {w.said(title)}."


def never_heard_lines(w: Words, d: Debrief) -> list[str]:
    out = [
        f"{w.t(r.title)}: {w.persona} would have said {w.said(r.specific)}" for r in d.never_heard
    ]
    for r in d.preempted:
        how = f" when you said {w.q(r.preempted_by)}" if r.preempted_by else ""
        out.append(f"{w.t(r.title)}: pre-empted{how}, so it never needed to come out.")
    if not out:
        if d.concerns:
            out.append(f"None: everything that worried {w.persona} came out.")
        else:
            out.append(f"None: nothing worried {w.persona}.")
    return out


def tip_text(w: Words, t: Tip) -> str:
    """A tip in words; the quote and title it carries are what ground it."""
    said = w.q(t.quote) if t.quote is not None else ""
    title = w.said(t.title)
    if t.kind == "too_early":
        return (
            f"You asked {said} before {w.persona} had finished asking questions (it was put "
            "off); wait until you are asked for your questions, then ask it."
        )
    if t.kind == "probe_first":
        return (
            'When the first answer is vague, probe before you answer ("What do you mean by '
            f'that?"). You answered {said} before you knew what {title} was really about.'
        )
    if t.kind == "anything_else":
        hidden = count(t.count, "concern")
        return (
            'After you handle one concern, ask "Is there anything else?". '
            f"{hidden[0].upper()}{hidden[1:]} stayed hidden because nobody asked."
        )
    if t.kind == "worsened" and t.detail == "discussion":
        return (
            f'Acknowledge a concern before you answer it ("That\'s fair"): {said} made {title} '
            "worse."
        )
    if t.kind == "worsened":
        return (
            f"Saying {said} made {title} worse; think about how that line sounds from the other "
            "side of the table."
        )
    if t.kind == "evidence":
        return f"On {title}, bring evidence: {w.t(t.detail)}."
    if t.kind == "preempted":
        return f"Keep doing this: you answered {title} before it ever came up, with {said}."
    if t.kind == "trigger":
        return f"Play again and answer differently where you said {said}: it raised {title}."
    if t.kind == "numbers":
        return f"Put a number on a result: your answer {said} had none."
    return FIXED_TIPS[t.kind]


FIXED_TIPS = {
    "ask_closing": (
        'Ask the closing question before you leave: "Is there anything I said today, or in my '
        'background, that would prevent you from recommending me?" Polite is not the same as '
        "convinced."
    ),
    "second_half": (
        'Add the second half of the closing question: "If there is, could I have a chance to '
        "talk about it while I'm here?\" It turns a verdict into a conversation."
    ),
    "ask_questions": (
        "Ask the interviewer a question or two (why the role is open, what they are looking "
        "for); their answers hint at what worries them."
    ),
}


# ---- the terminal -----------------------------------------------------------------------------


def _wrap(text: str, indent: str, rest: str | None = None) -> str:
    """One paragraph (already clean), wrapped to WIDTH columns under `indent`."""
    sub = rest if rest is not None else " " * len(indent)
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=sub)


def text(p: Painter, d: Debrief, persona: str) -> str:
    """The debrief for the terminal (colour through `p` when it is on)."""
    w = Words(persona)
    out = ["", p("=" * 30 + " Debrief " + "=" * 30, bold=True), ""]
    if d.drill is not None:
        out.append(p(_wrap(drill_line(w, d), ""), bold=True))
    if d.left is not None:
        out.append(p(_wrap(departure(d.left), ""), bold=True))
    color = {"advance": "green", "undecided": "yellow", "reject": "red"}[d.outcome]
    out.append(p(verdict(w, d), fg=color, bold=True))
    out.append(
        _wrap(
            f"{w.persona} stayed polite the whole time. Politeness is not endorsement: "
            "here is what was going on inside.",
            "",
        )
    )
    out += ["", p("Concerns", bold=True, underline=True)]
    if not d.concerns:
        out.append("   None came up.")
    for i, r in enumerate(d.concerns, 1):
        tone = {"resolved": "green", "preempted": "green", "partly_resolved": "yellow"}
        head = _wrap(f"{i}. {concern_head(w, r)}", "", "   ")
        out.append(p(head, fg=tone.get(r.status, "red"), bold=True))
        for item in concern_lines(w, r):
            if isinstance(item, list):
                out += [_wrap(x, "     - ") for x in item]
            else:
                out.append(_wrap(item, "   "))
    if d.answers:
        out += ["", p("Your answers", bold=True, underline=True)]
        out += [_wrap(answer_line(w, a), "   - ") for a in d.weak_answers]
        if d.strongest is not None:
            out.append(_wrap(strongest_line(w, d.strongest), "   + "))
    out += ["", p("Closing question", bold=True, underline=True)]
    for label, value in scorecard_lines(w, d):
        out.append(_wrap(f"{label}: {value}", "   ", "      "))
    if d.clues:
        out += ["", p("Clues in the interviewer's answers", bold=True, underline=True)]
        out += [_wrap(clue_line(w, c.question, c.title), "   - ") for c in d.clues]
    out += ["", p("Concerns you never heard about", bold=True, underline=True)]
    out += [_wrap(x, "   - ") for x in never_heard_lines(w, d)]
    if d.tips:
        out += ["", p("Tips for next time", bold=True, underline=True)]
        out += [_wrap(tip_text(w, t), f"   {i}. ") for i, t in enumerate(d.tips, 1)]
    return "\n".join(out)


# ---- Markdown -----------------------------------------------------------------------------------


def markdown(d: Debrief, persona: str, title: str) -> str:
    """The debrief as a Markdown document: headings, the verdict, the closing-question
    scorecard, each concern, the answers and the tips. No colour, no ids."""
    w = Words(persona, markdown=True)
    out = [f"# Debrief: {w.t(title)}", ""]
    out += ["## Verdict", ""]
    if d.drill is not None:
        out += [drill_line(w, d), ""]
    if d.left is not None:
        out += [f"**{departure(d.left)}**", ""]
    out += [f"**{verdict(w, d)}**", ""]
    out += [
        f"{w.persona} stayed polite the whole time. Politeness is not endorsement: here is what "
        "was going on inside.",
        "",
    ]
    out += ["## Closing question", ""]
    out += [f"- {label}: {value}" for label, value in scorecard_lines(w, d)]
    out += ["", "## Concerns", ""]
    if not d.concerns:
        out += ["None came up.", ""]
    for i, r in enumerate(d.concerns, 1):
        out += [f"### {i}. {concern_head(w, r)}", ""]
        for item in concern_lines(w, r):
            if isinstance(item, list):
                out += [f"  - {x}" for x in item]
            else:
                out.append(f"- {item}")
        out.append("")
    if d.answers:
        out += ["## Your answers", ""]
        out += [f"- {answer_line(w, a)}" for a in d.weak_answers]
        if d.strongest is not None:
            out.append(f"- {strongest_line(w, d.strongest)}")
        out.append("")
    if d.clues:
        out += ["## Clues in the interviewer's answers", ""]
        out += [f"- {clue_line(w, c.question, c.title)}" for c in d.clues]
        out.append("")
    out += ["## Concerns you never heard about", ""]
    out += [f"- {x}" for x in never_heard_lines(w, d)]
    out.append("")
    if d.tips:
        out += ["## Tips for next time", ""]
        out += [f"{i}. {tip_text(w, t)}" for i, t in enumerate(d.tips, 1)]
        out.append("")
    return "\n".join(out)
