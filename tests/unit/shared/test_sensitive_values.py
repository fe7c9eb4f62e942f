"""The registry of values log masking hides: per session, forgotten at the end, bounded."""

from __future__ import annotations

from lendline.shared.sensitive_values import SensitiveValues


def test_values_are_kept_per_session_in_the_cases_a_recogniser_writes() -> None:
    registry = SensitiveValues()
    registry.remember("s1", " Li Hua ", None, "", "X")
    assert set(registry.values()) == {"Li Hua", "LI HUA", "li hua"}
    registry.remember("s2", "王小明")
    assert "王小明" in registry.values()
    registry.forget("s1")
    assert registry.values() == ("王小明",)
    registry.forget("unknown")  # no error
    registry.clear()
    assert registry.values() == ()


def test_the_registry_is_bounded() -> None:
    registry = SensitiveValues(max_sessions=2, max_values_per_session=3)
    for index in range(5):
        registry.remember("s1", f"{index}000")
    assert registry.values() == ("2000", "3000", "4000")
    registry.remember("s2", "second")
    registry.remember("s3", "third")
    # s1 was touched least recently: it went first.
    assert set(registry.values()) == {"second", "third", "SECOND", "THIRD", "Second", "Third"}
