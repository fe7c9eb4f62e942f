"""The recorded English borrower the SIP end-to-end test plays: WAV files committed to the repo.

Each fixed answer of the English happy-path persona is one 8 kHz 16-bit mono WAV, made once
with the English Piper voice through a G.711 round trip (as it would arrive over a phone
line) by running this module: ``python -m telephony.fixtures`` from ``tests/``. One-time codes
are keyed, never recorded: they change every call.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "borrower-en"
#: Said by a borrower who wants a person (the hand-off tests); not part of the happy path.
ASK_FOR_AGENT = "I want to speak to a human agent."
#: A listener's backchannel: must not interrupt the agent.
BACKCHANNEL = "Uh-huh."


def fixture_name(text: str) -> str:
    """The file an answer is recorded in."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] + ".wav"


def fixture_for(text: str) -> Path:
    """The recorded answer ``text`` (raises if it was never recorded)."""
    path = FIXTURES / fixture_name(text)
    if not path.exists():
        raise FileNotFoundError(f"no recording of {text!r}: run python -m telephony.fixtures")
    return path


def main() -> None:
    """Record every fixed answer of the English borrower."""
    from lendline.demo.borrowers import happy_borrower
    from lendline.demo.drive import borrower_speech
    from lendline.voice.engines.audio import write_wav
    from lendline.voice.engines.factory import default_tts
    from lendline.voice.transports.line import PHONE_RATE
    from telephony.server import PROMPT_CACHE

    voice = default_tts("en", PROMPT_CACHE)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    texts = {
        answer
        for answers in happy_borrower("en").answers.values()
        for answer in answers
        if not answer.startswith("<")
    } | {ASK_FOR_AGENT, BACKCHANNEL}
    for text in sorted(texts):
        write_wav(FIXTURES / fixture_name(text), borrower_speech(voice, text, "en"), PHONE_RATE)
        print(fixture_name(text))


if __name__ == "__main__":
    main()
