"""A whole loan taken over a real SIP call: baresip dials ``lendline serve`` on 127.0.0.1.

The borrower is a recording (committed WAV fixtures, one per answer) played by baresip as its
microphone; the test listens like the borrower would (it waits for the agent to go quiet on
baresip's side of the line), picks the answer to the question just asked, and keys the SMS
codes on the phone's keypad (RFC 4733). Everything between is the product: SIP over UDP,
RTP with G.711, the jitter buffer, VAD, Smart Turn, Whisper, the dialog, the desk, the
voice, the paced playout. At the end the test asserts what the bank cares about (the
application completed with the right amount and term, money paid once) and runs speech
recognition over what baresip heard to check the offer's APR was said on the line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
import wave
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.adapters.sms.outbox import latest_code_for
from lendline.demo.borrowers import KEYS, OTP, PHRASE, Persona, happy_borrower
from lendline.demo.drive import borrower_speech, phrase_to_repeat
from lendline.dialog.verbalize import say_percent
from lendline.persistence.db import make_engine
from lendline.persistence.subject_keys import EngineSealer, KeyFile, bind_keys
from lendline.persistence.uow import SqlUnitOfWork
from lendline.voice.engines.audio import write_wav
from lendline.voice.engines.base import RecognitionHint, TextToSpeech
from telephony.baresip import Baresip, energy_dbfs, free_port, read_pcm
from telephony.fixtures import fixture_for
from telephony.impairment import LossyRelay
from telephony.server import ServedLendLine, start_server

pytestmark = [pytest.mark.slow, pytest.mark.voice, pytest.mark.sip]

#: The agent is taken to have finished its turn after this much quiet on the line.
AGENT_DONE_QUIET_SECS = 1.2
CALL_DEADLINE_SECS = 900


def _keys_for(answer: str, server: ServedLendLine, persona: Persona) -> str | None:
    """The DTMF digits for an answer that is keyed (codes and keypad entries), else None."""
    if answer == OTP or answer == KEYS + OTP:
        code = latest_code_for(server.sms_outbox, persona.mobile)
        assert code is not None, "no code in the SMS outbox"
        return code + "#"
    if answer.startswith(KEYS):
        return answer.removeprefix(KEYS).replace("X", "*") + "#"
    return None


def _wait_for_session(server: ServedLendLine, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = server.session_for_call()
        if session is not None:
            return session
        time.sleep(0.2)
    raise AssertionError(f"no session opened for the call:\n{server.log.read_text()[-2000:]}")


def _status(server: ServedLendLine, session: str) -> str:
    return str(server.query("SELECT status FROM call_sessions WHERE session_id = ?", session)[0][0])


def _why(server: ServedLendLine, session: str) -> str:
    """The identity and decision events of the session (outcomes only), for a failure message."""
    rows = server.query(
        "SELECT kind, payload FROM audit_log WHERE session_id = ? AND "
        "(kind LIKE 'identity.%' OR kind = 'decision.made') ORDER BY seq",
        session,
    )
    return "\n".join(f"{event} {payload}" for event, payload in rows) + "\n"


@contextlib.contextmanager
def _observer(server: ServedLendLine) -> Iterator[Engine]:
    """The server's database opened with its keys, as an access request would read it."""
    observer = make_engine(f"sqlite:///{server.database}")
    try:
        bind_keys(observer, KeyFile(server.home / "keys" / "personal-data-keys.json").keys())
        yield observer
    finally:
        observer.dispose()


def _stored_session(server: ServedLendLine, session: str) -> Any:
    """The session as the server saved it, sealed values opened."""
    with _observer(server) as observer, SqlUnitOfWork(observer, read_only=True) as uow:
        return uow.sessions.get(session)


def _stored_slots(server: ServedLendLine, session: str) -> dict[str, str]:
    """The session's dialog slots as the server saved them, read with the server's keys."""
    stored = _stored_session(server, session)
    assert stored is not None
    return dict(stored.state.get("slots", {}))


def _say_the_phrase(
    server: ServedLendLine, phone: Baresip, session: str, voice: TextToSpeech
) -> None:
    """Repeat a liveness challenge: it is drawn at random, so it is synthesised, not recorded."""
    text = phrase_to_repeat(_stored_slots(server, session), "en")
    assert text, "the agent asked for a phrase but none is in the session"
    wav = phone.home / "phrase.wav"
    write_wav(wav, borrower_speech(voice, text, "en"), 8000)
    phone.say(wav)


def _play_borrower(
    server: ServedLendLine, phone: Baresip, persona: Persona, session: str, voice: TextToSpeech
) -> dict[str, tuple[int, int]]:
    """Answer each agent turn until the session ends; returns where each prompt sits in what
    the phone heard (byte offsets in baresip's recording).

    A step-up the risk engine may ask for on a bad line (a phrase to repeat) is answered too.
    """
    spans: dict[str, tuple[int, int]] = {}
    handled = 0
    deadline = time.monotonic() + CALL_DEADLINE_SECS
    while time.monotonic() < deadline:
        if _status(server, session) != "active":
            return spans
        turns = server.turns(session)
        if len(turns) <= handled:
            time.sleep(0.2)
            continue
        start = phone.heard_bytes()
        end = phone.wait_until_quiet(AGENT_DONE_QUIET_SECS, timeout=180, since=start)
        turns = server.turns(session)
        handled = len(turns)
        prompt = turns[-1]["prompt_ids"][-1]
        spans[prompt] = (start, end)
        if _status(server, session) != "active":
            return spans
        answer = persona.answer(prompt)
        assert answer is not None, f"the borrower has no answer to {prompt!r}"
        keys = _keys_for(answer, server, persona)
        if keys is not None:
            phone.press(keys)
        elif answer == PHRASE:
            _say_the_phrase(server, phone, session, voice)
        else:
            phone.say(fixture_for(answer))
    raise AssertionError("the call did not finish in time")


def _spoken_rate_forms(apr: Decimal) -> list[str]:
    """How a recogniser may write the APR the agent read out (digits or words)."""
    percent = (apr * 100).quantize(Decimal("0.01"))
    words = say_percent(apr, "en").lower()
    return [f"{percent}", f"{percent}".rstrip("0").rstrip("."), words]


def _transcribe_in_windows(stt: Any, pcm: bytes, secs: int = 24, overlap: int = 6) -> str:
    """Recognise a long stretch (the offer is about 40 s) in overlapping windows under
    Whisper's 30 s, so no sentence is lost where one window of the model ends."""
    rate_bytes = 8000 * 2
    size, step = secs * rate_bytes, (secs - overlap) * rate_bytes
    starts = range(0, max(len(pcm) - overlap * rate_bytes, 1), step)
    return " ".join(
        stt.transcribe(pcm[at : at + size], 8000, "en", RecognitionHint.FREE).text for at in starts
    )


def _normalise(text: str) -> str:
    text = text.lower().replace(",", " ")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9.% ]", " ", text)).strip()


@pytest.mark.parametrize("line", ["clean", "lossy"])
def test_a_recorded_borrower_takes_a_loan_over_a_real_sip_call(
    tmp_path: Path, speech_engines, line: str
) -> None:
    """baresip dials, the borrower answers from recordings and keys the codes, the loan pays out.

    On the lossy line the caller's RTP loses 5 % of its packets and arrives with up to 60 ms
    of jitter (reordered), through a relay the server's SDP points the phone at.
    """
    relay: LossyRelay | None = None
    extra_env: dict[str, str] = {}
    if line == "lossy":
        rtp_port = free_port() // 2 * 2
        relay = LossyRelay(
            ("127.0.0.2", rtp_port), ("127.0.0.1", rtp_port), loss=0.05, jitter_ms=60
        )
        relay.start()
        extra_env = {
            "LENDLINE_TELEPHONY__SIP__ADVERTISED_IP": "127.0.0.2",
            "LENDLINE_TELEPHONY__SIP__RTP_PORT_MIN": str(rtp_port),
            "LENDLINE_TELEPHONY__SIP__RTP_PORT_MAX": str(rtp_port + 1),
        }
    server = start_server(tmp_path / "server", extra_env=extra_env)
    persona = happy_borrower("en")
    phone = Baresip(tmp_path / "phone", user=persona.caller_number)
    try:
        phone.dial(f"sip:loans@127.0.0.1:{server.sip_port}")
        session = _wait_for_session(server)
        spans = _play_borrower(server, phone, persona, session, speech_engines.voices["en"])
        # The agent says goodbye and hangs up; the phone hears the BYE.
        deadline = time.monotonic() + 60
        while "terminated" not in phone.log_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        heard = phone.heard_file()
        assert heard is not None
    finally:
        phone.stop()
        log = server.stop()
        if relay is not None:
            relay.stop()

    if relay is not None:
        # The impairment really was on the line.
        assert relay.received > 1000
        assert 0.03 < relay.dropped / relay.received < 0.07
        assert relay.reordered > 0

    assert "terminated" in phone.log_text(), phone.log_text()[-2000:]
    assert _status(server, session) == "completed", _why(server, session) + log[-3000:]

    # The application the bank books: the amount and term the borrower asked for, paid once.
    (row,) = server.query(
        "SELECT amount_minor, term_months, decision, apr, disbursed_at, payout_reference "
        "FROM applications WHERE session_id = ?",
        session,
    )
    amount_minor, term, decision, apr, disbursed_at, payout_ref = row
    assert (amount_minor, term, decision) == (3_000_000, 12, "approve")
    assert disbursed_at is not None and payout_ref
    assert len(server.query("SELECT 1 FROM payouts")) == 1

    # The network's call id and the caller ID reached the session's audit trail.
    (opened,) = server.query(
        "SELECT payload FROM audit_log WHERE session_id = ? AND kind = 'session.opened'", session
    )
    payload = json.loads(opened[0])
    assert payload["transport"] == "sip" and payload["call_id"]
    # The caller number is sealed at rest; an observer with the server's keys reads it.
    stored = _stored_session(server, session)
    assert stored is not None and stored.caller_number == persona.caller_number

    # The offer as the borrower heard it on the line: recognise it and find the APR.
    start, end = spans["offer"]
    offer_pcm = read_pcm(heard)[start - 44 : end - 44]
    transcript = _transcribe_in_windows(speech_engines.stt, offer_pcm)
    said = _normalise(transcript)
    forms = _spoken_rate_forms(Decimal(apr))
    assert any(form in said for form in forms), f"none of {forms} in {transcript!r}"

    # Both legs were recorded: caller on the left, agent on the right, both with speech.
    # The file is sealed under the session's key; decrypt it as an access request would.
    (sealed,) = list(server.recordings.glob("*.wav.enc"))
    ((session_id,),) = server.query("SELECT session_id FROM call_sessions")
    with _observer(server) as observer:
        plain = WavFileRecorder(server.recordings, EngineSealer(observer)).read(session_id, sealed)
    with wave.open(io.BytesIO(plain)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        frames = wav.readframes(wav.getnframes())
    import numpy as np

    stereo = np.frombuffer(frames, "<i2").reshape(-1, 2)
    assert energy_dbfs(stereo[:, 0].tobytes()) > -50
    assert energy_dbfs(stereo[:, 1].tobytes()) > -40
