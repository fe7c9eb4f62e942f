"""Word cues of fraud heard in the caller's turns, noted after every turn.

Cue counts go into the session's call signals (kinds, never words). The first scam cue of a
call is answered with the scam warning. A scam cue the caller *states* ("they told me to
pay an unfreezing fee first") is raised as a critical alert and the call goes to a person;
one said only inside a question ("Is there any processing fee?") is what an honest borrower
asks too: the warning answers it (no fee is ever taken before payout), the review queue is
told, and the call carries on. The first coaching cue goes to the review queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lendline.dialog.context import DialogContext
from lendline.dialog.nlu.digressions import asks, sentences, statement_part
from lendline.dialog.nlu.text import normalize
from lendline.dialog.state import SessionStatus
from lendline.dialog.turn import Prompt, Reply
from lendline.risk.fraud.call_signals import CUE_COUNTERS
from lendline.risk.fraud.lexicon import CueKind
from lendline.risk.fraud.lexicon import scan as scan_cues

#: Word cues worth a reviewer's note (urgency and fillers are only counted).
_FLAGGED = frozenset({CueKind.SCAM, CueKind.COACHING, CueKind.GUARANTOR})


@dataclass(slots=True)
class TurnCues:
    """What one turn's cues call for.

    Attributes:
        warning: the scam warning, on the call's first scam cue.
        scam_stated: a scam cue said outside any question.
        scam_asked: a scam cue said only inside a question.
    """

    warning: list[Prompt] = field(default_factory=list)
    scam_stated: bool = False
    scam_asked: bool = False


def note_cues(ctx: DialogContext, text: str) -> TurnCues:
    """Count the caller's word cues in ``state.signals``; flag them (kind, never words)."""
    state = ctx.state
    cues = scan_cues(normalize(text), state.language) if text else ()
    if not cues:
        return TurnCues()
    signals = dict(state.signals)
    for cue in cues:
        counter = CUE_COUNTERS.get(cue.kind)
        if counter is not None:
            signals[counter] = signals.get(counter, 0.0) + 1.0
    state.signals = signals
    for flag in sorted({f"{cue.kind.value}_cue" for cue in cues if cue.kind in _FLAGGED}):
        if flag not in state.flags:
            state.flags.append(flag)
    if not any(cue.kind is CueKind.SCAM for cue in cues):
        return TurnCues()
    stated = any(
        cue.kind is CueKind.SCAM for cue in scan_cues(normalize(_stated(text)), state.language)
    )
    turn = TurnCues(scam_stated=stated, scam_asked=not stated)
    if not ctx.scam_warned:
        ctx.scam_warned = True
        turn.warning = [ctx.say("scam_warning")]
    return turn


def _stated(text: str) -> str:
    """What a turn tells as fact, including what leads up to a question.

    "Someone on WeChat told me to unfreeze my account, is this related?" tells what
    happened before it asks; "If I pay the processing fee, is it faster?" and "Is there any
    processing fee?" tell nothing.
    """
    told = [statement_part(text)]
    for sentence in sentences(text):
        if asks(sentence):
            lead = _CLAUSE.split(sentence)[:-1]
            told.extend(part for part in lead if not asks(part) and not _SUPPOSES.match(part))
    return " ".join(told)


_CLAUSE = re.compile(r"[,，;；]")
_SUPPOSES = re.compile(r"\s*(?:if|suppose|say|如果|要是|假如|万一)", re.IGNORECASE)


def after_cues(ctx: DialogContext, reply: Reply, cues: TurnCues) -> Reply:
    """Raise the alerts the turn's cues call for, and put the warning before the reply."""
    state = ctx.state
    if "coaching_cue" in state.flags and "coaching_alert" not in state.flags:
        state.flags.append("coaching_alert")
        ctx.desk.raise_call_alert(state, "coaching_cue", "warn", ("coaching_cue",))
    if cues.scam_stated and "scam_alert" not in state.flags:
        state.flags.append("scam_alert")
        route = ctx.desk.raise_call_alert(state, "scam_cue", "critical", ("scam_cue",))
        if route == "pause_and_hand_off" and state.status is SessionStatus.ACTIVE:
            return ctx.hand_off(*cues.warning)
    elif cues.scam_asked and "scam_question_alert" not in state.flags:
        state.flags.append("scam_question_alert")
        ctx.desk.raise_call_alert(state, "scam_question", "warn", ("scam_cue",))
    reply.prompts[:0] = cues.warning
    return reply
