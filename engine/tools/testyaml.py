"""Writing conversation tests (docs/testing.md) as YAML text: the one writer behind
`closer play --record` and the cases `closer test --explore` prints. Hand-written YAML with
safe quoting (a JSON string is a YAML double-quoted scalar), never yaml.dump of objects."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from closer.engine.runtime.events import ConcernEvent, CueEvent, Event, IntentEvent
from closer.engine.tools.convtest import interviewer_lines

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*\Z")
_UNSAFE = re.compile("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_RESERVED = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar for any text: JSON's escapes are YAML's too, and whatever
    YAML would not keep as it is (controls, line separators, BOM) is escaped as well."""
    quoted = json.dumps(text, ensure_ascii=False)
    quoted = quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    quoted = quoted.replace("\ufeff", "\\ufeff")
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def yaml_key(name: str) -> str:
    """A key or identifier value: plain when YAML reads it back as the same string."""
    return name if _PLAIN.match(name) and name not in _RESERVED else yaml_str(name)


def yaml_scalar(value: Any) -> str:
    return yaml_key(value) if isinstance(value, str) else json.dumps(value)


def yaml_flow(mapping: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{yaml_key(k)}: {yaml_scalar(v)}" for k, v in mapping.items()) + "}"


def yaml_comment(text: str) -> str:
    """Text for a `# comment` on one line, with nothing YAML would trip on."""
    return yaml_str(" ".join(text.split()))[1:-1]


def yaml_reply(texts: Sequence[str]) -> str:
    if len(texts) == 1:
        return yaml_str(texts[0])
    return "[" + ", ".join(yaml_str(t) for t in texts) + "]"


def pinned_step(
    events: Sequence[Event], state: str | None = None, phase: str | None = None
) -> dict[str, str]:
    """One turn's events as step expectations that pin what happened: the reply, the intent,
    the state and phase after it (when known), the cue (`none` too) and the concern events
    (`[]` too), each rendered as YAML."""
    step = {"reply": yaml_reply(interviewer_lines(events))}
    intent = next((e for e in events if isinstance(e, IntentEvent)), None)
    if intent is not None:
        step["intent"] = yaml_scalar(intent.intent)
    if state is not None:
        step["state"] = yaml_key(state)
    if phase is not None:
        step["phase"] = phase
    step["cue"] = next((e.cue for e in events if isinstance(e, CueEvent)), "none")
    changes = [
        {"concern": e.concern, "status": e.status} for e in events if isinstance(e, ConcernEvent)
    ]
    step["events"] = "[" + ", ".join(yaml_flow(c) for c in changes) + "]"
    return step
