"""Sessions: open or resume one, checkpoint it, close it, and log its turns and consents.

Every call here is one unit of work that also keeps the session row (``SessionRecord``) in
step with the dialog state.

``DialogState`` fields written: ``status`` and ``channel`` (when a session is resumed).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from lendline.compliance.ports import text_commitment
from lendline.dialog.state import DialogState, SessionStatus
from lendline.persistence.records import SessionRecord
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import DeskContext, audio_offset_ms, sha256_text
from lendline.shared.ids import new_session_id


def open_session(
    desk: DeskContext, caller_number: str, channel: str, network: Mapping[str, str] | None = None
) -> DialogState:
    """Resume the caller's unfinished session, or open a new one.

    ``network`` names the call on the network that carried it (transport, call id), so
    the audit log ties the session to the SIP dialog or media stream.
    """
    with SqlUnitOfWork(desk.engine) as uow:
        record = uow.sessions.latest_resumable_for_caller(caller_number)
        if record is not None:
            state = DialogState.from_dict(record.state)
            state.status = SessionStatus.ACTIVE
            state.channel = channel
            event = "session.resumed"
        else:
            state = DialogState(
                session_id=new_session_id(), caller_number=caller_number, channel=channel
            )
            event = "session.opened"
        if channel == "voice":
            desk._call_answered_at[state.session_id] = desk.clock.now()
        _save(desk, uow, state)
        uow.audit.append(
            event,
            state.session_id,
            {"channel": channel, "step": state.step.value, **(network or {})},
            desk.clock.now(),
        )
        uow.commit()
    return state


def load_session(desk: DeskContext, session_id: str) -> DialogState | None:
    """Load a session by id (the chat link carries it)."""
    with SqlUnitOfWork(desk.engine) as uow:
        record = uow.sessions.get(session_id)
    return DialogState.from_dict(record.state) if record else None


def _save(desk: DeskContext, uow: SqlUnitOfWork, state: DialogState, ended: bool = False) -> None:
    now = desk.clock.now()
    existing = uow.sessions.get(state.session_id)
    uow.sessions.save(
        SessionRecord(
            session_id=state.session_id,
            caller_number=state.caller_number,
            channel=state.channel,
            language=state.language,
            status=state.status.value,
            step=state.step.value,
            state=state.to_dict(),
            application_ref=state.reference,
            started_at=existing.started_at if existing else now,
            updated_at=now,
            ended_at=now if ended else None,
        )
    )


def checkpoint(desk: DeskContext, state: DialogState) -> None:
    """Persist the dialog state after a turn."""
    with SqlUnitOfWork(desk.engine) as uow:
        _save(desk, uow, state)
        uow.commit()


def close(desk: DeskContext, state: DialogState) -> None:
    """Persist the final status of the session."""
    with SqlUnitOfWork(desk.engine) as uow:
        _save(desk, uow, state, ended=True)
        uow.audit.append(
            "session.closed",
            state.session_id,
            {"status": state.status.value, "step": state.step.value, "flags": state.flags},
            desk.clock.now(),
        )
        uow.commit()


def record_turn(
    desk: DeskContext,
    state: DialogState,
    caller_text: str | None,
    audio_sha256: str | None,
    prompts: list[tuple[str, str]],
    prompt_version: str,
    event: str,
) -> None:
    """Append one call turn to the audit log; what the caller said is kept sealed.

    The append-only log cannot be erased, so it gets only a salted commitment to the
    caller's text; the text and salt go to ``call_turn_texts`` under the session's key.
    """
    salt = secrets.token_hex(16)
    commitment = None if caller_text is None else text_commitment(salt, caller_text)
    payload: dict[str, Any] = {
        "turn": state.turn,
        "event": event,
        "channel": state.channel,
        "step": state.step.value,
        "status": state.status.value,
        "caller_text_commitment": commitment,
        "audio_sha256": audio_sha256,
        "prompt_version": prompt_version,
        "prompt_ids": [prompt_id for prompt_id, _ in prompts],
        "prompt_sha256": sha256_text("\n".join(text for _, text in prompts)),
    }
    now = desk.clock.now()
    with SqlUnitOfWork(desk.engine) as uow:
        if caller_text is not None:
            uow.turn_texts.add(state.session_id, state.turn, caller_text, salt, now)
        uow.audit.append("call.turn", state.session_id, payload, now)
        uow.commit()


def record_consent(
    desk: DeskContext, state: DialogState, kind: str, granted: bool, notice_version: str
) -> None:
    """Record a consent answer, where it is in the call recording, and log it."""
    now = desk.clock.now()
    offset = audio_offset_ms(desk, state, now)
    with SqlUnitOfWork(desk.engine) as uow:
        uow.consents.add(state.session_id, kind, granted, notice_version, now, offset)
        uow.audit.append(
            "consent.recorded",
            state.session_id,
            {
                "kind": kind,
                "granted": granted,
                "notice_version": notice_version,
                "audio_offset_ms": offset,
            },
            now,
        )
        uow.commit()
