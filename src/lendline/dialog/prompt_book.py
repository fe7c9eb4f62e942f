"""Versioned prompt templates in Mandarin and English, loaded from the package's TOML files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any


class UnknownPrompt(KeyError):
    """Raised when the script asks for a prompt no template defines."""


@dataclass(frozen=True, slots=True)
class PromptBook:
    """The templates of one language at one version.

    Parameters:
        language: "zh" or "en".
        version: the template set's version, recorded with every turn in the audit log.
        prompts: prompt id -> template with ``{placeholders}``.
        sms: SMS templates.
        labels: display words for enum values ("purpose.education" -> "教育").
    """

    language: str
    version: str
    prompts: dict[str, str]
    sms: dict[str, str]
    labels: dict[str, str]

    def text(self, prompt_id: str, **values: str) -> str:
        """Fill the template ``prompt_id`` with ``values``."""
        try:
            template = self.prompts[prompt_id]
        except KeyError as exc:
            raise UnknownPrompt(prompt_id) from exc
        return template.format(**values)

    def sms_text(self, sms_id: str, **values: str) -> str:
        """Fill the SMS template ``sms_id``."""
        return self.sms[sms_id].format(**values)

    def label(self, group: str, value: str) -> str:
        """Return the display word for ``group.value``, or the raw value."""
        return self.labels.get(f"{group}.{value}", value)


def _flatten(prefix: str, table: dict[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(_flatten(name, value))
        else:
            flat[name] = str(value)
    return flat


@cache
def load_prompts(language: str) -> PromptBook:
    """Load the prompt book for ``language`` ("zh" or "en") from the package data."""
    raw = files("lendline.dialog.prompts").joinpath(f"{language}.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return PromptBook(
        language=data["meta"]["language"],
        version=data["meta"]["version"],
        prompts=dict(data["prompts"]),
        sms=dict(data["sms"]),
        labels=_flatten("", data["labels"]),
    )
