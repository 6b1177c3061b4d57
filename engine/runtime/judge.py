"""Judging the answers (M10): what one answer to a question shows, and what counts against it,
as an `AssessEvent`. Hidden during play; the verdict and the debrief read it.

An answer is judged sentence by sentence on what it says, from two sources:
- the library's `markers` (scenarios/library/standard.yaml, extended by a scenario's own):
  `example` (a concrete instance: "one time", "last spring"), `result` (what came of it),
  `evasive` ("I don't remember the details", "can we move on?", "it's all on my resume"),
  and `defensive`;
- features of the sentences, computed here: how many words, numbers, names (a capitalised word
  inside a sentence: "at Parcelwise"), and first-person subjects doing something ("I built",
  "I'd call the charge nurse") as against "we" doing it or "I" only thinking or feeling.

The question's rubric (`rubric:` in the scenario; `m.Rubric`) says what the answer is about
(`topic` patterns; without them, the words of the question itself) and which qualities it
`wants`: those weigh double, and the ones not heard are its `lacks`. A follow-up answer to the
same question adds to the first: the question is judged again on all its lines, and the last
assessment of a question is its judgement.

Touches only `SessionState.answers`, and records one event through the session's `Voice`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress
from typing import TYPE_CHECKING, Any, NamedTuple

from closer.engine.format import model as m
from closer.engine.format.patterns import NUMBER_WORDS, Utterance, normalize
from closer.engine.runtime.events import AssessEvent, ConcernEvent
from closer.engine.runtime.program import Program
from closer.engine.runtime.reading import sentences
from closer.engine.runtime.voice import Voice

if TYPE_CHECKING:
    from closer.engine.runtime.session import SessionState

# what each quality is worth (double when the rubric wants it), and what each flag costs
WORTH = {"example": 3, "numbers": 2, "ownership": 2, "result": 2, "on_topic": 1}
COST = {"evasive": 8, "thin": 5, "only_we": 1, "off_topic": 3, "red_flag": 4}
THIN = 10  # an answer of fewer words that shows nothing concrete is thin

_NAME = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NOT_NAMES = frozenset({"I", "I'm", "I'd", "I've", "I'll", "I’m", "I’d", "I’ve", "I’ll", "OK"})
# words between a subject and its verb that say nothing about who acted
_BETWEEN = frozenset([
    "always", "usually", "also", "then", "just", "personally", "actually", "really", "quickly",
    "eventually", "finally", "first", "immediately", "still", "often", "generally", "typically",
    "basically", "mostly", "normally", "sometimes", "even", "myself", "ourselves", "both", "all",
    "would", "will", "could", "can", "should", "might", "may", "must", "have", "has", "had", "did",
    "do", "does", "already", "later", "together", "once", "instead", "soon", "quietly",
])  # fmt: skip
# what follows "I" without being something the speaker did
_NOT_ACTIONS = frozenset([
    "am", "is", "are", "was", "were", "be", "been", "being", "think", "thought", "feel", "felt",
    "believe", "guess", "mean", "meant", "know", "knew", "suppose", "hope", "like", "love",
    "want", "wanted", "wish", "remember", "recall", "forget", "forgot", "prefer", "enjoy",
    "enjoyed", "need", "say", "said", "agree", "understand", "reckon", "care", "hate", "dislike",
    "tend", "not", "no", "never", "a", "an", "the", "to", "of", "in", "on", "at", "for", "with",
    "my", "our", "your", "their", "this", "that", "it", "so", "very", "too", "and", "or", "but",
    "get", "got", "gotten", "as", "if", "about", "from", "here", "there", "what", "how",
])  # fmt: skip
_IRREGULAR_PAST = frozenset([
    "built", "led", "wrote", "ran", "made", "took", "found", "caught", "went", "set", "put",
    "brought", "kept", "held", "drove", "gave", "spent", "left", "began", "became", "sent",
    "taught", "did", "had", "rebuilt", "rewrote", "split", "cut", "won", "fought", "sat", "stood",
    "told", "paid", "lost", "met", "ate", "fell", "undid", "understood", "oversaw", "rang",
])  # fmt: skip
_HABITUAL = frozenset(
    {"always", "usually", "generally", "typically", "normally", "often", "mostly", "sometimes"}
)
_STOP = frozenset([
    "about", "would", "could", "should", "there", "their", "where", "which", "while", "thing",
    "things", "really", "people", "something", "anything", "little", "short", "version", "through",
    "yourself", "think", "these", "those", "other", "every", "right", "tell", "share", "usually",
    "first", "again", "after", "before", "going", "doing", "being", "start", "started",
])  # fmt: skip


class Features(NamedTuple):
    """What the sentences of an answer show, apart from any pattern."""

    words: int
    numbers: int
    names: int  # capitalised words inside a sentence: places, companies, systems
    own_actions: int  # "I" doing something
    we_actions: int  # "we" doing something
    stories: int  # sentences telling what happened, in an answer with a name or a number


def _verb_after(words: Sequence[str], i: int) -> tuple[str, bool] | None:
    """The verb after the subject at `i`, skipping adverbs and auxiliaries, and whether the
    skipped words made it habitual ("we always test"); None at the end of the sentence."""
    habitual = False
    for w in words[i + 1 : i + 5]:
        if w in _BETWEEN:
            habitual = habitual or w in _HABITUAL
            continue
        return w, habitual
    return None


def _listed_after_i(words: Sequence[str], clauses: Sequence[int]) -> int:
    """1 when, after an "I" whose own verb is no deed ("I'd be honest that I can't promise
    it, listen, write down what they said and go to the DSL"), the sentence lists deeds with
    that "I" understood: a word opening a later clause, or after "and"/"then", that can be a
    verb and is followed by what a verb takes (`_TAKES`: "write down", "go to", "listen
    without"); else 0."""
    first = words.index("i")
    for j in range(first + 2, len(words) - 1):
        w = words[j]
        opens = clauses[j] != clauses[j - 1] or words[j - 1] in ("and", "then")
        if opens and _is_action(w) and w not in _NOT_VERBS and words[j + 1] in _TAKES:
            return 1
    return 0


# what follows a verb in a list of deeds ("record their words", "go to the DSL")
_TAKES = frozenset([
    "the", "their", "his", "her", "it", "them", "him", "a", "an", "to", "my", "our", "this",
    "that", "down", "up", "out", "straight", "without", "back", "everything", "each",
])  # fmt: skip
# words that open a clause and are followed by one of those without being a deed
_NOT_VERBS = frozenset([
    "i", "we", "he", "she", "they", "you", "then", "later", "afterwards", "also", "because",
    "since", "when", "while", "after", "before", "until", "which", "who", "where", "all", "both",
    "one", "some", "most", "none", "each", "half", "part", "rest", "up", "out", "down", "though",
    "although", "however", "whereas", "yet", "plus", "anyway", "honestly", "obviously", "now",
    "yesterday", "today", "tomorrow", "sometimes", "often", "usually", "luckily", "sadly",
])  # fmt: skip


def _is_action(verb: str) -> bool:
    return verb.isalpha() and len(verb) > 1 and verb not in _NOT_ACTIONS


def _is_past(verb: str) -> bool:
    return verb in _IRREGULAR_PAST or (verb.endswith("ed") and len(verb) > 4)


_NUMBERS = NUMBER_WORDS - {"one"}  # "one" is rarely a count ("one time", "the one who")


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _is_number(word: str) -> bool:
    if word.isalpha():  # no digit in it (the common case, without a look at each letter)
        return word in NUMBER_WORDS and word != "one"
    return any(c.isdigit() for c in word) or (word in NUMBER_WORDS and word != "one")


def _names(raw: str) -> int:
    """How many of `_NAME`'s tokens after the first start with a capital (places, companies,
    systems), "I" and "OK" aside. Found from the capitals (`_CAP`), without making every token:
    a capital starts a token unless a letter comes before it, across any ' ’ - between
    (tests/test_turn_work.py holds it to counting the tokens)."""
    n = 0
    first = -1
    for found in _CAP.finditer(raw):
        if found.group() in _NOT_NAMES:
            continue
        q = found.start() - 1
        while q >= 0 and raw[q] in _JOINS:
            q -= 1
        if q >= 0 and raw[q] in _LETTERS:
            continue  # inside a token: "McDonald", "x-Ray"
        if first < 0:
            first = _NAME.search(raw).start()  # type: ignore[union-attr]  # a token is there
        if found.start() != first:
            n += 1
    return n


_CAP = re.compile(r"[A-Z][A-Za-z'’-]*")
_JOINS = frozenset("'’-")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def features(text: str) -> Features:
    """Count what the sentences of `text` show (see `Features`)."""
    words = numbers = names = own = we = stories = 0
    for utt in sentences(text):
        raw, ws = utt.text, utt.words
        words += len(ws)
        # `_is_number` for every word, but a sentence of letters only, with no number word,
        # is passed over in two calls
        if not (_NUMBERS.isdisjoint(ws) and "".join(ws).isalpha()):
            numbers += sum(1 for w in ws if w in _NUMBERS or (not w.isalpha() and _has_digit(w)))
        names += _names(raw)
        if "i" not in ws and "we" not in ws:
            continue
        if raw.rstrip().endswith("?"):
            continue  # "can we move on?" says nothing about who did what
        mine = ours = told = 0
        for subject in ("i", "we"):  # each "i", then each "we" (the counts need no order)
            i = -1
            for _ in range(ws.count(subject)):
                i = ws.index(subject, i + 1)
                found = _verb_after(ws, i)
                if found is None or not _is_action(found[0]):
                    continue
                verb, habitual = found
                if subject == "i":
                    mine += 1
                else:
                    ours += 1
                if not told and not habitual and _is_past(verb):
                    told = 1
        we += ours
        if not mine and "i" in ws:
            mine = _listed_after_i(ws, utt.clauses)
        own += mine
        stories += told
    # a story is told across sentences: "At Tallyhouse a consumer fell behind at 2am. I found
    # the poison message and skipped it." names the place and the time in one, the deed in another
    return Features(words, numbers, names, own, we, stories if numbers or names else 0)


def told(text: str) -> bool:
    """Whether `text` tells something that happened, in the past: "A man was rude about a
    mower, so I got the duty manager", "I cross-trained the pickers"; not a habit ("I always
    check", "I just stay calm") or a plan ("I'd call the charge nurse")."""
    for utt in sentences(text):
        if utt.text.rstrip().endswith("?"):
            continue
        ws = utt.words
        if ws and ws[0] in _DONE_WHAT and any(_is_past(w) for w in ws[1:10]):
            return True  # "the chair of trustees wanted to keep the paper form"
        for i, w in enumerate(ws):
            if w in ("was", "were"):
                return True
            if w in _SUBJECTS and _did_what(ws[i + 1 : i + 3]):
                return True  # "I did some interviews", "we had a patient who ..."
            if w in _SUBJECTS:
                found = _verb_after(ws, i)
                if found is not None and not found[1]:
                    verb = found[0]
                    if _is_past(verb) or verb in ("got", "came", "said", "saw", "heard"):
                        return True
    return False


_SUBJECTS = frozenset({"i", "we", "he", "she", "they", "it", "who"})
# what follows "did"/"had" used as the verb itself, not as a helper ("I did not", "I had to")
_DONE_WHAT = frozenset({"some", "a", "an", "the", "my", "our", "lots", "loads", "this", "that"})


def _did_what(two: Sequence[str]) -> bool:
    """ "did some", "had a", "did 12": "did" or "had" as the verb itself."""
    return (
        len(two) == 2 and two[0] in ("did", "had") and (two[1] in _DONE_WHAT or _is_number(two[1]))
    )


def _marker(program: Program, name: str, said: Sequence[Utterance], guard: bool = True) -> bool:
    pats, any_match = program.markers.get(name, ()), program.any_match  # `program.marker`'s
    return any(any_match(pats, u, guard) for u in said)


def _on_topic(program: Program, q: m.Question, said: Sequence[Utterance]) -> bool:
    if q.rubric.topic:
        return any(program.any_match(q.rubric.topic, u) for u in said)
    asked = {
        w[:5]
        for line in (*q.ask, *q.rephrase, *q.follow_up, *q.follow_up_rephrase)
        for w in _content(line)
    }
    return any(w[:5] in asked for u in said for w in u.words if len(w) >= 5 and w not in _STOP)


def _content(line: str) -> list[str]:
    return [w for w in normalize(line).words if len(w) >= 5 and w not in _STOP]


def most_points(q: m.Question) -> int:
    """What an answer to `q` that shows every quality is worth."""
    return _most(q.rubric.wants)


@lru_cache(maxsize=64)
def _most(wants: tuple[str, ...]) -> int:
    return sum(w * (2 if k in wants else 1) for k, w in WORTH.items())


def assess(
    program: Program, q: m.Question, lines: Sequence[str], turn: int, red: bool = False
) -> AssessEvent:
    """Judge the lines said in answer to `q` (all of them, a follow-up's included); `red`: one
    of them raised or worsened a concern."""
    text = "\n".join(lines)
    said = sentences(text)
    f = features(text)
    example = f.stories > 0 or _marker(program, "example", said)
    numbers = f.numbers > 0
    ownership = f.own_actions > 0
    result = _marker(program, "result", said)
    on_topic = _on_topic(program, q, said)
    evasive = thin = False  # a concrete answer is neither, whatever dodges it holds
    if not (example or numbers):
        dodging = [u for u in said if _marker(program, "evasive", [u], guard=False)]
        rest = sum(len(u.words) for u in said if u not in dodging)
        evasive = bool(dodging) and rest < 2 * THIN
        thin = rest < THIN and not result
    heard = (example, numbers, ownership, result, on_topic)  # in the order of m.QUALITIES
    flagged = (  # in the order of m.FLAGS
        evasive,
        thin,
        f.we_actions > 0 and f.own_actions == 0,
        not on_topic and not (thin or evasive),
        red or _marker(program, "defensive", said),
    )
    wants = q.rubric.wants
    shows = tuple(compress(m.QUALITIES, heard))
    flags = tuple(compress(m.FLAGS, flagged))
    lacks = tuple(k for k in wants if k not in shows)
    points = sum(WORTH[k] * (2 if k in wants else 1) for k in shows)
    points -= sum(COST[k] for k in flags)
    return AssessEvent(turn, q.id, shows, lacks, flags, points)


def take(program: Program, st: SessionState, qid: str, text: str, voice: Voice) -> AssessEvent:
    """The session's one call: the candidate answered question `qid` with `text` (this turn's
    concern events are already in `voice`). Judge the question on all its lines so far, keep
    the judgement in `st.answers`, and record the assessment."""
    q = program.questions[qid]
    # a worry the line raised or made worse, and did not also clear up (a misunderstanding the
    # same line answers is pre-empted in the same turn: no red flag then)
    moved = {e.concern: e.status for e in voice.events if isinstance(e, ConcernEvent)}
    red = any(status in ("raised", "worsened") for status in moved.values())
    record: dict[str, Any] = st.answers.setdefault(qid, {"lines": [], "red": False})
    record["lines"].append(text)
    record["red"] = record["red"] or red
    event = assess(program, q, record["lines"], st.turn, record["red"])
    record["points"] = event.points
    record["most"] = most_points(q)
    record["shows"], record["flags"] = list(event.shows), list(event.flags)  # `FollowUp.due`
    voice.record(event)
    return event
