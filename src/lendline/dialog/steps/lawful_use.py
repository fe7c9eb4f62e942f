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
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from lendline.dialog.nlu.choices import classify_purpose
from lendline.dialog.nlu.text import normalize
from lendline.dialog.steps.review import choice_list
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory, is_banned

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

#: The confirmation slots of the check: the promise, then the choice among forbidden uses.
LAWFUL_USE = "purpose"
WHICH_FORBIDDEN_USE = "forbidden_use"

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
