"""The paced playout: one 20 ms frame per tick, a short lead, barge-in clear, ducking, hang-up."""

from __future__ import annotations

import asyncio

from lendline.voice.transports.pacing import MAX_DUCK_TICKS, PacedPlayout

FRAME = 320


def sent_frames(sent: list[bytes | None]) -> int:
    return sum(1 for frame in sent if frame is not None)


async def test_play_returns_within_the_lead_and_frames_go_out_in_real_time() -> None:
    sent: list[bytes | None] = []
    playout = PacedPlayout(sent.append, lead_frames=5)
    playout.start()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await playout.play(b"\x01\x00" * 160 * 50, 8000)  # one second of audio
    # play() waited until only the lead was left: about 0.9 s of the second had gone out.
    assert playout.queued_frames <= 5
    assert loop.time() - started > 0.7
    await playout.drained()
    assert sent_frames(sent) == 50
    assert playout.recording == b"\x01\x00" * 160 * 50 + bytes(len(playout.recording) - 16000)
    await playout.stop()


async def test_part_frames_are_padded_and_other_rates_resampled() -> None:
    sent: list[bytes | None] = []
    playout = PacedPlayout(sent.append)
    playout.start()
    await playout.play(b"\x00\x10" * 100, 8000)  # 12.5 ms: a part frame
    await playout.play(b"\x00\x10" * 320, 16000)  # 20 ms at 16 kHz
    await playout.drained()
    frames = [frame for frame in sent if frame is not None]
    assert [len(frame) for frame in frames] == [FRAME, FRAME]
    await playout.stop()


async def test_clear_drops_the_queue_and_releases_waiters() -> None:
    sent: list[bytes | None] = []
    playout = PacedPlayout(sent.append, lead_frames=2)
    playout.start()
    player = asyncio.create_task(playout.play(bytes(FRAME * 100), 8000))
    await asyncio.sleep(0.1)
    playout.clear()
    await asyncio.wait_for(player, 1.0)
    await asyncio.wait_for(playout.drained(), 1.0)
    assert playout.frames_cleared > 0
    assert sent_frames(sent) < 20
    await playout.stop()


async def test_ducking_holds_the_prompt_and_lets_go_by_itself() -> None:
    sent: list[bytes | None] = []
    playout = PacedPlayout(sent.append, lead_frames=200)
    playout.start()
    playout.ducked = True
    await playout.play(bytes(FRAME * 10), 8000)
    await asyncio.sleep(0.2)
    assert sent_frames(sent) == 0, "a ducked prompt must not be sent"
    playout.ducked = False
    await asyncio.wait_for(playout.drained(), 1.0)
    assert sent_frames(sent) == 10
    # A duck nobody resolves (noise, a lost VAD stop) ends on its own.
    playout.ducked = True
    await playout.play(bytes(FRAME * 5), 8000)
    await asyncio.wait_for(playout.drained(), (MAX_DUCK_TICKS + 50) * 0.02)
    assert not playout.ducked and sent_frames(sent) == 15
    await playout.stop()


async def test_after_a_hang_up_audio_is_taken_and_dropped() -> None:
    sent: list[bytes | None] = []
    playout = PacedPlayout(sent.append, lead_frames=1)
    playout.start()
    playout.hung_up()
    await asyncio.wait_for(playout.play(bytes(FRAME * 500), 8000), 0.5)
    assert playout.queued_frames == 0
    await playout.stop()
