"""How values are put into prompts: spelled out for the voice, written out for chat."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lendline.dialog import verbalize


@dataclass(frozen=True, slots=True)
class Renderer:
    """Formats amounts, digits, rates and terms for one language and channel.

    Parameters:
        language: "zh" or "en".
        spoken: True for text-to-speech (numbers as words, IDs digit by digit),
            False for chat (digits).
    """

    language: str
    spoken: bool

    def amount(self, value: Decimal) -> str:
        """An amount in yuan."""
        if self.spoken:
            return verbalize.say_amount(value, self.language)
        text = f"{value:,.2f}".removesuffix(".00")
        return f"{text}元" if self.language == "zh" else f"{text} yuan"

    def digits(self, value: str, phone: bool = False) -> str:
        """An identifier read digit by digit (ID or phone number)."""
        if self.spoken:
            return verbalize.say_digits(value, self.language, phone_style=phone)
        return value

    def percent(self, rate: Decimal, places: int = 2) -> str:
        """A rate given as a fraction (0.108 -> 10.80%)."""
        if self.spoken:
            return verbalize.say_percent(rate, self.language, places=places)
        return f"{rate * 100:.{places}f}%"

    def months(self, count: int) -> str:
        """A term in months."""
        if self.spoken:
            return verbalize.say_months(count, self.language)
        return f"{count}个月" if self.language == "zh" else f"{count} months"

    def term_list(self, terms: tuple[int, ...]) -> str:
        """The terms on offer as a list ("3、6、12个月" / "3, 6 or 12 months")."""
        if self.language == "zh":
            words = [verbalize.say_integer(t, "zh") if self.spoken else str(t) for t in terms]
            return "、".join(words) + "个月"
        words = [verbalize.say_integer(t, "en") if self.spoken else str(t) for t in terms]
        return ", ".join(words[:-1]) + f" or {words[-1]} months"
