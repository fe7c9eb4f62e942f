"""The lawful-use check of a purpose no category fits.

A purpose kept as "other" with the caller's own words is the one the classifier could not
place, and that is where a forbidden use said in an unforeseen way ends up ("my friends have
an app, we put some money on the matches"). So before "other" is stored the caller is told
what consumer credit may not pay for and asked to confirm that the money goes to none of it,
as lenders' scripts do (资金用途承诺). Yes, or a denial of each use ("不会", "won't"), stores
"other". Anything else, a plain "no" included (is it "no, it won't" or "no, I can't confirm
that"?), is asked as a choice among the forbidden uses with "none of these" last: a use named
is declined at once; "none of these" stores "other"; a caller who names neither goes to a
person.

A purpose read as one of the forbidden uses is read back before the application is declined
on it ("跟您确认一下：这笔钱是要用于购房，对吗？"): "店要搬到新铺面，交铺租" is rent for a
shop, not a shop bought, and a decline is no answer the caller could otherwise correct. Yes
declines. No (or no answer) keeps nothing, asks the purpose again with the choices read out
(banned ones are never among them), flags the session for a reviewer and raises a warning,
since a borrower who hears the purpose will be declined may change their story; a forbidden
use read a second time is declined without asking again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from lendline.dialog.nlu.choices import classify_purpose
from lendline.dialog.nlu.text import normalize
from lendline.dialog.steps.review import ASK_WITH_CHOICES, choice_list
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory, is_banned

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

#: The confirmation slots of the check: the promise, then the choice among forbidden uses.
LAWFUL_USE = "purpose"
WHICH_FORBIDDEN_USE = "forbidden_use"
#: The reviewer flag (``DialogState.flags``) and alert of a forbidden use read and denied.
PURPOSE_DISPUTED = "purpose_disputed"

#: "不会", "都不是", "No, it won't", "none of these": no forbidden use, whatever the polarity
#: of the question.
_DENIES_EVERY_USE: Final = re.compile(
    r"不会|不用于|不用在|不拿去|都不是|都不会|都没有|一样都不|哪个都不|没有的事|不做这些|"
    r"\b(?:won't|will not|none|neither|nothing like that|of course not|not for any)\b"
)


def ask_lawful_use(ctx: DialogContext) -> Prompt:
    """The promise asked before a purpose is kept as "other"."""
    return ctx.say("confirm_purpose_lawful")


def denies_every_use(text: str) -> bool:
    """Whether the caller says the money goes to none of the forbidden uses."""
    return bool(_DENIES_EVERY_USE.search(normalize(text)))


def forbidden_use_named(text: str) -> PurposeCategory | None:
    """The forbidden use a caller's answer names, if any."""
    named = classify_purpose(text) if text else None
    return named if named is not None and is_banned(named) else None


def ask_which_forbidden_use(ctx: DialogContext) -> Reply:
    """Ask which forbidden use the money goes to, "none of these" last."""
    slots = ctx.state.slots
    slots["confirm_slot"] = WHICH_FORBIDDEN_USE
    slots["confirm_value"] = PurposeCategory.OTHER.value
    return Reply([ctx.say("ask_forbidden_use", choices=choice_list(ctx, "forbidden"))])


def banned_read_back(ctx: DialogContext, purpose: PurposeCategory) -> Prompt | None:
    """The read-back asked before declining on ``purpose``, or None if none is due.

    Due for a forbidden use, unless the caller has already denied one in this session.
    """
    if not is_banned(purpose) or PURPOSE_DISPUTED in ctx.state.flags:
        return None
    return ctx.say("confirm_banned_purpose", purpose=ctx.book.label("purpose", purpose.value))


def is_banned_read_back(slot: str, value: str) -> bool:
    """Whether a pending confirmation is the read-back of a forbidden use."""
    return (
        slot == LAWFUL_USE
        and value != PurposeCategory.OTHER.value
        and is_banned(PurposeCategory(value))
    )


def purpose_disputed(ctx: DialogContext, at_its_step: bool) -> Reply:
    """The caller denied the forbidden use read back: flag, warn, and ask the purpose again.

    At the purpose question it is asked with the choices read out; a forbidden use heard as a
    change at a later question leaves the purpose as it was.
    """
    state = ctx.state
    if PURPOSE_DISPUTED not in state.flags:
        state.flags.append(PURPOSE_DISPUTED)
        ctx.desk.raise_call_alert(state, PURPOSE_DISPUTED, "warn", (PURPOSE_DISPUTED,))
    if at_its_step:
        state.slots[ASK_WITH_CHOICES] = "purpose"
        return ctx.ask_again()
    return ctx.ask_again(ctx.say("slot_unchanged"))
