"""Understanding a line in its context: what the patterns say, then what the moment says.

A person hears a line against what they just said. The same words mean different things after
the interviewer's vague line ("what do you mean?" is a probe), in the middle of a question (a
long answer that mentions "concern" and "me" is an answer, not the closing question) or in the
candidate's questions. `read` first classifies the line among the intents the state listens for
(`Program.classify`, the authored patterns), then applies the context rules below, each of which
names itself in `Reading.why` so `closer explain --state` can show what context changed.

Context rules (ids, as written in the transcript's `rule` when they decide):
- `context:answer` (in a question): the closing question, a candidate question or "how did I
  do?" counts only when a sentence that is a question asks it; otherwise the line is an answer.
- `context:clarify` (in a question): a short question that only asks what she meant ("like
  what?", "as in base or the whole package?", "the till one, or the stock one?") is a probe.
- `context:for_later` (in a question): a short question put to the interviewer about her side
  ("do you run postmortems here?") is a question for later, as a recognised one would be.
- `context:guess` (a vague line on the table): a guess that names the concern (its `about:`
  patterns) is a strong probe: the specific line comes at once.
- `context:probe` (a vague or specific line on the table): a request to understand in any form:
  a question or request addressed to her, the closing question asked again, a short "how so?".

Sentence features used: whether a sentence is a question (a question mark, or it opens like
one), whether it is addressed to her ("you", "your", an imperative such as "tell me"), its
length, and whether the line carries a feeling (`tone`: the `hardship`, `nerves` and `bad_day`
markers, in that order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Final

from closer.engine.format import model as m
from closer.engine.format.patterns import Utterance, normalize
from closer.engine.runtime.events import Frozen  # a frozen class, not a dataclass: its cost
from closer.engine.runtime.program import (
    CLEAR,
    DISCUSSION,
    FILLERS,
    IntentMatch,
    Program,
    opens_question,
)

if TYPE_CHECKING:
    from closer.engine.runtime.session import SessionState

_REQUESTS = frozenset([
    "tell", "say", "explain", "elaborate", "expand", "go", "be", "help", "walk", "clarify",
    "spell", "give", "please", "talk", "share", "describe", "unpack", "keep",
])  # fmt: skip
_WISH = frozenset({"wonder", "wondering", "wondered", "curious", "interested"})
_ABOUT_ANSWER = frozenset(
    {"i", "me", "my", "mean", "example", "question", "repeat", "again", "rephrase", "sorry"}
)
_YOU = frozenset({"you", "your", "yours", "yourself", "u", "ur"})
_POINTING = frozenset({"that", "this", "it", "mean", "meaning", "meant"})
_WH = frozenset({"what", "why", "how", "which", "meaning", "where", "who"})
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
MAX_SENTENCES = 12  # sentences of a line that are looked at one by one
SHORT_ANSWER = 6  # after an acknowledgement, a sentence this long with evidence is an answer
SHORT_REMARK = 30  # a remark this short can be a goodbye that mentions next steps
FOR_LATER_WORDS = 30  # a question for later is short; a longer line is an answer with a question
# every word of "like what?", "such as?", "meaning?", "what sort of thing do you want?": a
# question that asks only what she meant (`context:clarify`), at most CLARIFY_WORDS long
_CLARIFY = frozenset([
    "like", "what", "such", "as", "meaning", "mean", "meant", "sorry", "pardon", "sort", "kind",
    "type", "of", "thing", "things", "do", "does", "did", "you", "want", "wanted", "to", "know",
    "hear", "which", "one", "ones", "in", "sense", "way", "exactly", "for", "example",
    "instance", "is", "it", "that", "this", "a", "an", "the", "are", "were", "looking", "after",
    "hoping", "asking", "ask", "question", "me", "i", "should", "say", "talk", "about", "so",
    "huh", "eh", "um", "uh", "er", "erm", "hmm", "again", "how", "or", "would", "could", "can",
    "them", "they", "their", "her", "him", "his", "she", "he", "we", "us", "our", "my", "your",
    "bit", "bits", "part", "parts", "side", "count", "counts",
])  # fmt: skip
CLARIFY_WORDS = 10
ECHO_WORDS = 5  # "keep them going how?"; not "what is Priti like to work for?"
CLARIFY_CHOICE_WORDS = 20  # "designed end to end, or could it be a part I owned?"
# how a question about her question opens (after "sorry", "so" ...): "do you want one I caused
# or one I fixed?", "should I focus on ...", "does it have to be recent?", "you mean Lakeview?"
_CLARIFY_OPENERS = tuple(
    tuple(o.split())
    for o in (
        "do you want", "would you like", "do you mean", "you mean", "did you mean",
        "does it have to", "does it need to",
        "does it matter", "can it be", "could it be", "is it ok if i", "is it okay if i",
        "how far back", "where do you want me", "where should i", "what do you want me",
        "meaning", "define", "are you asking", "are you after", "are we talking",
        "is this about", "can you give me an example", "could you give me an example",
        "what counts as", "what do you count as", "what would count as", "including", "from",
        "how much do you want", "how much detail", "could i clarify", "can i clarify",
        "just to clarify", "to clarify", "would you prefer", "do you prefer", "in what sense",
        "in what way", "when you say", "when you said",
    )
)  # fmt: skip
# the openers by their length in words: a line's first words are looked up once for each length
# (`_opens_clarifying`), not compared with every opener
_OPENERS_BY_LENGTH = tuple(
    (n, frozenset(o for o in _CLARIFY_OPENERS if len(o) == n))
    for n in sorted({len(o) for o in _CLARIFY_OPENERS})
)
# "should I focus on ...", "do I need to give an example?": the candidate asking how to answer
# (not "should I bring my DBS certificate?")
_HOW_TO_ANSWER = tuple(
    tuple(o.split()) for o in ("should i", "shall i", "do i need to", "do i have to")
)
_ANSWER_VERBS = frozenset({
    "focus", "talk", "start", "go", "pick", "use", "answer", "give", "describe", "say",
    "mention", "include", "cover", "choose", "stick", "keep", "explain", "begin", "concentrate",
    "be", "tell", "walk",
})  # fmt: skip
_CLARIFY_LAST = frozenset(
    {"specifically", "onwards", "included", "exactly", "particularly", "only"}
)
_HEAR = frozenset(
    {"here", "team", "company", "office", "unit", "floor", "hospital", "role", "job", "position"}
)


# what each context rule means, for `closer explain --state`
RULES = {
    "answer": "only a sentence that asks it makes this line the closing question, a question of "
    "the candidate's or (with evidence for the concern on the table) a probe; none does, so it "
    "is an answer (so is a goodbye or 'no more questions' asked, or said only in an earlier "
    "sentence of an answer to the concern, or an answer's 'no question')",
    "clarify": 'in a question, a question about her question ("like what?", "do you want one I '
    'caused or one I fixed?", "difficult how?"): a probe, so she puts it another way',
    "for_later": "in a question, a short question put to the interviewer about her side: she "
    "keeps it for the candidate's questions",
    "else": "a concern is on the table and the line asks for anything else ('is there anything "
    "else that gives you pause about me?', 'anything else you'd need from me?'): anything else, "
    "not a probe, an acknowledgement or a question of the candidate's",
    "guess": "her vague line is on the table and this guess names the concern: a strong probe, "
    "the specific line comes at once",
    "probe": "a concern is on the table and the line asks her what she meant (a question or a "
    "request addressed to her): a probe",
    "wrap_up": "she has said there is nothing else, and a short thanks ('great, thanks') is the "
    "candidate wrapping up: a goodbye",
}


class Sentence(Frozen):
    _fields: ClassVar[tuple[str, ...]] = ("text", "utt", "question", "request", "to_you")
    __slots__ = _fields
    text: Final[str]
    utt: Final[Utterance]
    question: Final[bool]  # a question mark, or it opens like a question
    request: Final[bool]  # opens with an imperative addressed to her ("tell me", "go on")
    to_you: Final[bool]  # mentions her: you, your

    def __init__(
        self, text: str, utt: Utterance, question: bool, request: bool, to_you: bool
    ) -> None:
        self.text = text
        self.utt = utt
        self.question = question
        self.request = request
        self.to_you = to_you

    @property
    def asks(self) -> bool:
        """A question, a request, or a wish to know ("I'd love to hear about the team")."""
        if self.question or self.request:
            return True
        w = self.utt.words
        return not _WISH.isdisjoint(w) or any(
            w[i] in ("like", "love", "keen", "want") and w[i + 2 : i + 3] in (("know",), ("hear",))
            for i in range(len(w) - 2)
        )


@lru_cache(maxsize=16)
def sentences(text: str) -> tuple[Utterance, ...]:
    """The line's sentences (split after . ! ? ; and at line breaks), each normalised on its
    own, empty ones left out. The one splitter of a turn: the context rules, the concern scan
    and the judge all read the same line, so it is split and normalised once."""
    out = [normalize(s) for s in _SENTENCE_END.split(text) if s.strip()]
    return tuple(u for u in out if u.words)


@lru_cache(maxsize=16)
def shapes(text: str) -> tuple[Sentence, ...]:
    """The line's first MAX_SENTENCES sentences, each with its shape (kept, as `sentences`
    are: the context rules may ask more than once in a turn, and a line typed again is read
    again)."""
    out: list[Sentence] = []
    for utt in sentences(text)[:MAX_SENTENCES]:
        first = utt.words[0]
        lead = utt.words[1] if len(utt.words) > 1 and first in FILLERS else first
        out.append(
            Sentence(
                utt.text.strip(),
                utt,
                utt.text.rstrip().endswith("?") or opens_question(utt.words),
                first in _REQUESTS or lead in _REQUESTS,
                not _YOU.isdisjoint(utt.words),
            )
        )
    return tuple(out)


class Context(Frozen):
    """Where the conversation stands when the line arrives."""

    _fields: ClassVar[tuple[str, ...]] = ("state", "concern", "said")
    __slots__ = _fields
    state: Final[str]
    concern: Final[m.Concern | None]  # the concern on the table in the closing discussion
    said: Final[int]  # how much of it she has said: 1 the vague line, 2 the specific one

    def __init__(self, state: str, concern: m.Concern | None = None, said: int = 0) -> None:
        self.state = state
        self.concern = concern
        self.said = said


class Reading(Frozen):
    """What a line is taken as. `match` is what the patterns alone chose among the intents
    listened for; `intent` is what it is taken as in context; `why` names the context rule that
    changed it (None: it did not); `guess` is set when a probe named the concern on the table.
    A frozen class, not a dataclass: one is made on every turn, in half a dataclass's time (and
    none is generated at import); `but` is what `dataclasses.replace` gave."""

    _fields: ClassVar[tuple[str, ...]] = (
        "match", "intent", "why", "guess", "tone", "deferred_question", "form"
    )  # fmt: skip
    __slots__ = _fields
    match: Final[IntentMatch | None]
    intent: Final[str | None]
    why: Final[str | None]
    guess: Final[bool]
    tone: Final[str | None]
    deferred_question: Final[bool]  # an unrecognised question for later, in a question
    form: Final[str | None]  # the closing question's: "full" (asks for a chance to respond)

    def __init__(
        self,
        match: IntentMatch | None,
        intent: str | None,
        why: str | None = None,
        guess: bool = False,
        tone: str | None = None,
        deferred_question: bool = False,
        form: str | None = None,
    ) -> None:
        self.match = match
        self.intent = intent
        self.why = why
        self.guess = guess
        self.tone = tone
        self.deferred_question = deferred_question
        self.form = form

    def but(self, tone: str | None = None, form: str | None = None) -> Reading:
        """This reading with its tone or form set (what is not given is kept)."""
        return Reading(
            self.match,
            self.intent,
            self.why,
            self.guess,
            self.tone if tone is None else tone,
            self.deferred_question,
            self.form if form is None else form,
        )

    @property
    def rule(self) -> str | None:
        if self.why is not None:
            return f"context:{self.why}"
        return self.match.rule if self.match else None

    @property
    def explained(self) -> str | None:
        """What the context rule that decided this reading means (None: none did)."""
        return RULES.get(self.why or "")

    @property
    def score(self) -> int:
        return self.match.score if self.match and self.why is None else 0


def context_of(program: Program, st: SessionState) -> Context:
    """Where a session stands, for reading its next line."""
    current = st.current
    if current is None or program.kind(st.state) != DISCUSSION:
        return _plain(st.state)
    return Context(st.state, program.concern(current), st.concerns[current].said)


# a state's context with no concern on the table, one a state (it is frozen): not made anew
# on every turn
_plain: Callable[[str], Context] = lru_cache(maxsize=256)(Context)


def where_of(program: Program, st: SessionState) -> str:
    """Where a session stands, as `closer explain --state` takes it: its state, or
    `vague:CONCERN` / `specific:CONCERN` when a concern's line is on the table."""
    ctx = context_of(program, st)
    if ctx.concern is None:
        return ctx.state
    return f"{'vague' if ctx.said == 1 else 'specific'}:{ctx.concern.id}"


def read(program: Program, ctx: Context, text: str, utt: Utterance | None = None) -> Reading:
    """How a person in `ctx` would take `text`."""
    utt = utt if utt is not None else normalize(text)
    reading = _read(program, ctx, text, utt)
    if reading.tone is None and program.kind(ctx.state) == "opening" and _declines(utt):
        # "did you find parking all right?" "Honestly, no..." is not a "Good."
        reading = reading.but(tone="bad_day")
    if reading.intent == "closing_question":
        form = "full" if program.marker("chance", utt) else "plain"
        return reading.but(form=form)
    return reading


_NO = frozenset({"no", "nope", "nah", "not"})
_NO_TROUBLE = frozenset({"problem", "problems", "trouble", "issue", "issues", "worries", "bad"})


def _declines(utt: Utterance) -> bool:
    """A small-talk reply that opens with a no ("not really", "honestly, no"), but not "no
    problem" or "not bad"."""
    head = [w for w in utt.words[:4] if w not in FILLERS and w not in ("honestly", "um", "uh")]
    if not head or head[0] not in _NO:
        return False
    rest = set(head[1:3])
    return not (rest & _NO_TROUBLE) and "too" not in rest


def _read(program: Program, ctx: Context, text: str, utt: Utterance) -> Reading:
    allowed = program.listening(ctx.state, utt)
    match = program.classify(utt, allowed)
    tone = tone_of(program, utt)
    kind = program.kind(ctx.state)
    if kind == "question":
        return _in_question(program, ctx, text, utt, match, tone)
    if kind == DISCUSSION and ctx.concern is not None and ctx.said:
        return _on_the_table(program, ctx, shapes(text), utt, match, tone)
    if kind == CLEAR and match is None and _thanks(utt):
        return Reading(None, "goodbye", "wrap_up", tone=tone)
    cq = program.candidate_questions
    short = len(utt.words) <= SHORT_REMARK
    if short and match is not None and match.intent in cq:
        # "...hope to hear from you soon": a goodbye, not a question about next steps (the
        # other intents first: most short lines match none, and then whether a sentence asks
        # does not matter)
        other = program.classify(utt, program.besides(allowed, cq))
        if other is not None and not _asked(program, shapes(text), match.intent, utt):
            return Reading(other, other.intent, tone=tone)
    return Reading(match, match.intent if match else None, tone=tone)


_THANKS = frozenset({"thanks", "thank", "cheers", "ta"})


def _thanks(utt: Utterance) -> bool:
    """A short thanks, not a question: "great, thanks Jade", "perfect, thank you"."""
    return len(utt.words) <= 6 and not _THANKS.isdisjoint(utt.words) and "?" not in utt.text


def _asked(program: Program, parts: tuple[Sentence, ...], intent: str, utt: Utterance) -> bool:
    """Does a sentence that asks (a question, a request, a wish to know) ask for `intent`?
    `intent` is what the patterns chose for the whole line `utt`, so a sentence that is the
    whole line (the same `Utterance`: `sentences` and the turn share `normalize`'s) asks for
    it without being classified again (tests/test_turn_work.py holds it to classifying)."""
    allowed = frozenset({intent})
    return any(
        s.utt is utt or program.classify(s.utt, allowed) is not None for s in parts if s.asks
    )


def tone_of(program: Program, utt: Utterance) -> str | None:
    """The most serious feeling the line carries, if any."""
    if program.unheard(m.TONES, utt):
        return None
    for name in m.TONES:
        if program.marker(name, utt):
            return name
    return None


# what in the middle of a question only a question asks: never an answer's words
_ASKED_ONLY = frozenset({"closing_question", "how_did_i_do"})


def _in_question(
    program: Program,
    ctx: Context,
    text: str,
    utt: Utterance,
    match: IntentMatch | None,
    tone: str | None,
) -> Reading:
    cq = program.candidate_questions
    if match is not None and match.intent not in _ASKED_ONLY and match.intent not in cq:
        return Reading(match, match.intent, tone=tone)
    said = sentences(text)
    # "like what?", "as in which days, or how many hours?", "does it need to be recent? Most of
    # mine are from before my break.": its first sentence, short, the words counted first
    short = said and len(said) <= 2 and len(said[0].words) <= CLARIFY_CHOICE_WORDS
    # a line a candidate question (or "how did I do?") matched: only an opener says it asks
    # about her question ("availability as in which days, or how many hours?" hears ask_schedule)
    closing = match is not None and match.intent == "closing_question"
    q = program.questions[ctx.state]
    if short and not closing and _clarifies(shapes(text)[0], q, opener_only=match is not None):
        return Reading(match, "probe", "clarify", tone=tone)
    if match is not None:  # the closing question, "how did I do?" or a candidate question
        if not _asked(program, shapes(text), match.intent, utt):
            return Reading(match, None, "answer", tone=tone)
        return Reading(match, match.intent, tone=tone)
    # a short question for later: one or two sentences, the words counted before the shapes
    if said and len(said) <= 2 and sum(len(u.words) for u in said) <= FOR_LATER_WORDS:
        first = shapes(text)[0]
        words = first.utt.words
        # "before I start, could I ask whether the post is permanent?": asked before answering
        # (one about how to answer was a clarification, above)
        before = words[:2] == ("before", "i")
        about_here = first.to_you or not _HEAR.isdisjoint(words)
        if first.question and (before or (about_here and _not_about_answer(first))):
            return Reading(match, None, "for_later", tone=tone, deferred_question=True)
    return Reading(match, None, tone=tone)


def _clarifies(s: Sentence, q: m.Question, opener_only: bool = False) -> bool:
    """A question that only asks what she meant (`context:clarify`): a short one made of
    `_CLARIFY` words ("like what?", "sorry, which bit?"); one that opens like a question about
    her question ("do you want one I caused, or one I fixed?", "should I focus on ...", "as in
    base?", "including school research?") or ends in "specifically?"; a choice between readings
    of her question ("is that base only or the whole package?", "the till one, or the stock
    one?", "what depth do you want, a summary or role by role?"); or her own words asked back
    ("keep them going how?", "let them know about what exactly?", "designed end to end?").
    `opener_only` (a candidate question matched): only the forms that cannot be one."""
    w = s.utt.words
    if not s.question or not 0 < len(w) <= CLARIFY_CHOICE_WORDS:
        return False
    lead = w[1:] if w[0] in FILLERS or w[0] == "apologies" else w
    if lead[:2] == ("before", "i"):  # "before I start, should I focus on ...?"
        lead = lead[4:] if lead[3:4] in (("into",), ("that",), ("it",)) else lead[3:]
    how = next((len(o) for o in _HOW_TO_ANSWER if lead[: len(o)] == o), 0)
    if how and len(lead) > how and lead[how] in _ANSWER_VERBS:
        return True
    if (
        _has_pair(w, _ANYWHERE)  # "availability as in ...", "could I check whether you mean"
        or _opens_clarifying(lead)
        or (len(w) <= 4 and (w[-1] in _CLARIFY_LAST or "like" in w))
        or _echoed(w)
        or (
            "or" in w
            and (lead[:2] in _THAT_OR or len(w) <= 4 or _either(lead) or _has_pair(w, _WANTS))
        )
        or (len(w) == 2 and w[0] in _NARROW)
    ):
        return True
    choice = "or" in w and not _her_side(w) and _PLACE.isdisjoint(w)
    asked = _stems_of(q)
    if choice and _both_hers(w, asked):  # "which one, the till or the stock?" ("stock" alone
        return True  # hears ask_pay: a choice between two things she asked about is hers)
    if opener_only:
        return False
    if len(w) <= CLARIFY_WORDS and _CLARIFY.issuperset(w):
        return True
    # a choice naming a word of hers, not about her side ("do you do Epic training first, or is
    # it on the job?"); or a few of her own words asked back with "how?" or "which?"
    echo = len(w) <= 4 and "you" not in w  # "designed end to end?": her words, nothing more
    if not choice and not echo and (len(w) > ECHO_WORDS or _WH.isdisjoint(w)):
        return False
    named = _named(w, asked)
    return any(named) if choice else bool(named) and all(named)


_ECHO_LAST = frozenset({"what", "which", "how"})
_ANYWHERE = frozenset({("as", "in"), ("you", "mean"), ("u", "mean")})
# what she wants, with a choice: "what depth do you want, a summary or role by role?"
_WANTS = frozenset({
    ("you", "want"), ("you", "prefer"), ("you", "expecting"), ("you", "expect"), ("you", "after"),
    ("you", "like"),
})  # fmt: skip
_NARROW = frozenset({"how", "which", "what", "any"})  # "how severe?", "any unit?"
# a choice about her side, not her question: "is the post permanent or fixed term?"
_PLACE = frozenset({
    "here", "site", "post", "store", "shop", "ward", "hospital", "company", "office", "contract",
    "permanent", "use", "uses", "based", "located",
})  # fmt: skip


def _named(words: tuple[str, ...], asked: frozenset[str]) -> list[bool]:
    """For each longer word that is not a `_CLARIFY` word, whether she said it (`asked`)."""
    return [x[:4] in asked for x in words if len(x) > 3 and x not in _CLARIFY]


def _both_hers(w: tuple[str, ...], asked: frozenset[str]) -> bool:
    """A choice with a word of her question on each side of its "or"."""
    i = w.index("or")
    return any(_named(w[:i], asked)) and any(_named(w[i + 1 :], asked))


def _has_pair(w: tuple[str, ...], pairs: frozenset[tuple[str, str]]) -> bool:
    """Do two words of `pairs` stand side by side in `w`?"""
    return any(w[i : i + 2] in pairs for i in range(len(w) - 1))


def _either(w: tuple[str, ...]) -> bool:
    """Two readings each opened by the same question word: "why am I leaving, or why this
    role?"."""
    if "or" not in w:
        return False
    i = w.index("or")
    return w[0] in _WH and w[i + 1 : i + 2] == w[:1]


# "is that base only or the whole package?": a choice between readings of what she just asked
# (not "is it hybrid or on site?", about her side); so is a short one ("contractual or actual?")
_THAT_OR = frozenset({("is", "that"), ("is", "this"), ("was", "that")})


def _echoed(w: tuple[str, ...]) -> bool:
    """Her words asked back with the question word last: "let them know about what exactly?",
    "keep them going how?", "sorry, which?"."""
    last = w[-2] if len(w) > 1 and w[-1] in _CLARIFY_LAST else w[-1]
    return last in _ECHO_LAST


def _opens_clarifying(lead: tuple[str, ...]) -> bool:
    """Do these words open with one of `_CLARIFY_OPENERS`?"""
    return any(lead[:n] in openers for n, openers in _OPENERS_BY_LENGTH)


def _stems_of(q: m.Question) -> frozenset[str]:
    """`_asked_stems` of every way she may have put the question and its follow-up."""
    return _asked_stems((*q.ask, *q.rephrase, *q.follow_up, *q.follow_up_rephrase))


@lru_cache(maxsize=64)
def _asked_stems(lines: tuple[str, ...]) -> frozenset[str]:
    """The first four letters of each longer word of her question and follow-up, either way
    she may have put them (worked out once per question, not on every line that asks about
    it)."""
    return frozenset(x[:4] for line in lines for x in normalize(line).words if len(x) > 3)


# what "you" does in a question about her question ("do you want", "would you like")
_YOU_ASK = frozenset({
    "want", "mean", "meant", "like", "need", "prefer", "count", "consider", "expect", "are",
    "were", "would", "looking", "asking", "after", "asked", "say", "said", "mentioned",
    "talking", "think", "wanted",
})  # fmt: skip


def _her_side(w: tuple[str, ...]) -> bool:
    """A question about her side: "you" does something other than ask ("do you do", "do you
    use", "have you got")."""
    return any(x == "you" and i + 1 < len(w) and w[i + 1] not in _YOU_ASK for i, x in enumerate(w))


def _not_about_answer(s: Sentence) -> bool:
    """A question about her question ("do you want an example?", "should I ...") is the
    candidate checking how to answer, not a question for later."""
    w = s.utt.words
    return not (_ABOUT_ANSWER & set(w[:6]))


_NAVIGATING = frozenset({"anything_else", "confirm", "how_did_i_do", "no_questions", "goodbye"})


def _on_the_table(
    program: Program,
    ctx: Context,
    parts: tuple[Sentence, ...],
    utt: Utterance,
    match: IntentMatch | None,
    tone: str | None,
) -> Reading:
    """A concern's vague (said 1) or specific (said 2) line is on the table."""
    c = ctx.concern
    assert c is not None
    intent = match.intent if match else None
    if intent == "probe" and evidence(program, c, utt) and not _asked(program, parts, intent, utt):
        # "I didn't get it across well. At Lakeview I escalated...": evidence, not a probe
        return Reading(match, None, "answer", tone=tone)
    if intent == "probe":
        return Reading(match, intent, guess=_names(program, c, parts), tone=tone)
    if ctx.said == 1 and any(s.asks for s in parts) and _names(program, c, parts):
        return Reading(match, "probe", "guess", guess=True, tone=tone)
    if intent not in _NAVIGATING and any(s.asks and _has_pair(s.utt.words, _ANY) for s in parts):
        # "thanks for being honest. Is there anything else you'd want me to clear up?", "anything
        # else you'd need from me?": she moves on, whatever else the line matched
        return Reading(match, "anything_else", "else", tone=tone)
    if intent == "closing_question" and _asked(program, parts, intent, utt):
        if any(s.asks and _else(s.utt.words) for s in parts):
            return Reading(match, "anything_else", "else", tone=tone)
        return Reading(match, "probe", "probe", tone=tone)
    why = None
    if intent == "closing_question":  # "I get why that worries you. ..." is an answer
        intent, why = None, "answer"
    if intent in _LEAVING and _staying(program, c, parts, intent, utt):
        intent, why = None, "answer"
    if (
        intent == "acknowledge"
        and _said_before(program, parts, intent)
        and len(parts[-1].utt.words) >= SHORT_ANSWER
        and not evidence(program, c, parts[-1].utt)
        and any(evidence(program, o, parts[-1].utt) for o in program.concerns)
    ):
        # "I understand. My sister has my daughter on the Sundays I work": an answer to another
        # worry, so not the part she meant (evidence for this one settles it either way)
        intent, why = None, "answer"
    if intent in _NAVIGATING or intent in program.candidate_questions:
        short_wh = any(
            s.question and len(s.utt.words) <= 4 and _WH & set(s.utt.words) for s in parts
        )
        if ctx.said == 1 and intent == "anything_else" and short_wh:
            return Reading(match, "probe", "probe", tone=tone)
        return Reading(match, intent, tone=tone)
    defensive = pushback(program, utt)
    if not defensive and any(s.question and _asks_how(s.utt.words) for s in parts):
        # "consistent in what sense?": her word asked back, not evidence that has her word
        return Reading(match, "probe", "probe", tone=tone)
    if defensive or evidence(program, c, utt):
        return Reading(match, intent, why, tone=tone)
    if _asks_her(parts):
        return Reading(match, "probe", "probe", tone=tone)
    return Reading(match, intent, why, tone=tone)


_LEAVING = frozenset({"no_questions", "goodbye"})


def _staying(
    program: Program, c: m.Concern, parts: tuple[Sentence, ...], intent: str, utt: Utterance
) -> bool:
    """A goodbye or "no more questions" that is not one, with a concern on the table: asked
    ("sorry, that's all?"); or in an answer to the concern whose last sentence does not say
    it ("I left Lakeview to take care of my mom. ..."), or says "no question" (singular: "I'll
    be here March to June, no question")."""
    allowed = frozenset({intent})
    said = [s for s in parts if s.utt is utt or program.classify(s.utt, allowed) is not None]
    if said and all(s.question for s in said):
        return True
    if not evidence(program, c, utt):
        return False
    if intent == "no_questions" and "question" in utt.words and "questions" not in utt.words:
        return True
    return _said_before(program, parts, intent)


def _said_before(program: Program, parts: tuple[Sentence, ...], intent: str) -> bool:
    """`intent` said only before the line's last sentence (a goodbye or an acknowledgement,
    then more)."""
    return len(parts) > 1 and program.classify(parts[-1].utt, frozenset({intent})) is None


_HOW = frozenset({"how", "what", "exactly", "why"})  # a short question ending on one asks how
_IN_WHAT = frozenset({("what", "sense"), ("what", "way"), ("what", "respect"), ("how", "so")})


def _asks_how(w: tuple[str, ...]) -> bool:
    """A short question asking in what sense ("consistent in what sense?", "deliberate how?",
    "how so?"), which may echo her words: not an answer that uses them."""
    return len(w) <= 5 and (w[-1] in _HOW or _has_pair(w, _IN_WHAT))


_ANY = frozenset({("anything", "else"), ("any", "other"), ("anything", "other")})
_ELSE = _ANY | {("something", "other")}


def _else(w: tuple[str, ...]) -> bool:
    """ "Is there anything else that worries you about me?", "any other reservations?": the
    closing question asked for more, not about the concern on the table."""
    return "else" in w or _has_pair(w, _ELSE)


def _asks_her(parts: tuple[Sentence, ...]) -> bool:
    """A question or request to her about what she said, in any form: "meaning what?", "is that
    about me?", "could you be more direct?", "go on"."""
    for s in parts:
        if s.request:
            return True
        if s.question and (s.to_you or len(s.utt.words) <= 12 or _POINTING & set(s.utt.words)):
            return True
    return False


def _names(program: Program, c: m.Concern, parts: tuple[Sentence, ...]) -> bool:
    return any(program.any_match(c.about, s.utt) for s in parts)


def pushback(program: Program, utt: Utterance) -> bool:
    """Defensive, with a concern on the table: the library's `defensive` marker, or a negative
    answered by its own tag, a question that asks nothing ("I can't control what Gary writes,
    can I?", "I wouldn't be on this call if I wasn't, would I?")."""
    return program.marker("defensive", utt) or _tagged(utt.words)


_TAGS = frozenset({"can", "could", "would", "do", "did", "will", "should", "is", "was", "am"})


def _tagged(w: tuple[str, ...]) -> bool:
    """Ends on an auxiliary and "i" that the line said earlier with "not"."""
    if len(w) < 5 or w[-1] != "i" or w[-2] not in _TAGS:
        return False
    aux = w[-2]
    return any(w[k] == aux and w[k + 1] == "not" for k in range(len(w) - 3))


def evidence(program: Program, c: m.Concern, utt: Utterance) -> bool:
    return any(program.any_match(g.patterns, utt, guard=True) for g in c.groups)
