"""Word cues of fraud heard in the caller's turns, noted after every turn.

Cue counts go into the session's call signals (kinds, never words); the first scam cue of a
call is answered with the scam warning and raised as a critical alert (the call goes to a
person); the first coaching cue goes to the review queue.
"""

from __future__ import annotations

from lendline.dialog.context import DialogContext
from lendline.dialog.nlu.text import normalize
from lendline.dialog.state import SessionStatus
from lendline.dialog.turn import Prompt, Reply
from lendline.risk.fraud.call_signals import CUE_COUNTERS
from lendline.risk.fraud.lexicon import CueKind
from lendline.risk.fraud.lexicon import scan as scan_cues

#: Word cues worth a reviewer's note (urgency and fillers are only counted).
_FLAGGED = frozenset({CueKind.SCAM, CueKind.COACHING, CueKind.GUARANTOR})


def note_cues(ctx: DialogContext, text: str) -> list[Prompt]:
    """Count the caller's word cues in ``state.signals``; flag them (kind, never words)."""
    state = ctx.state
    cues = scan_cues(normalize(text), state.language) if text else ()
    if not cues:
        return []
    signals = dict(state.signals)
    for cue in cues:
        counter = CUE_COUNTERS.get(cue.kind)
        if counter is not None:
            signals[counter] = signals.get(counter, 0.0) + 1.0
    state.signals = signals
    for flag in sorted({f"{cue.kind.value}_cue" for cue in cues if cue.kind in _FLAGGED}):
        if flag not in state.flags:
            state.flags.append(flag)
    if any(cue.kind is CueKind.SCAM for cue in cues) and not ctx.scam_warned:
        ctx.scam_warned = True
        return [ctx.say("scam_warning")]
    return []


def after_cues(ctx: DialogContext, reply: Reply, warning: list[Prompt]) -> Reply:
    """Raise the alerts the turn's cues call for, and put the warning before the reply."""
    state = ctx.state
    if "coaching_cue" in state.flags and "coaching_alert" not in state.flags:
        state.flags.append("coaching_alert")
        ctx.desk.raise_call_alert(state, "coaching_cue", "warn", ("coaching_cue",))
    if not warning:
        return reply
    route = ctx.desk.raise_call_alert(state, "scam_cue", "critical", ("scam_cue",))
    if route == "pause_and_hand_off" and state.status is SessionStatus.ACTIVE:
        return ctx.hand_off(*warning)
    reply.prompts[:0] = warning
    return reply
