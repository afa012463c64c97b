"""The speech stage: voice activity, words, forced alignment to the script, A/V offset, figures.

Entry point: `analyse_speech` (mirror.speech.analyse); see docs/speech.md.
"""

from mirror.speech.analyse import analyse_speech
from mirror.speech.model import Segment, SpeechAnalysis, SpeechOptions, Word
from mirror.speech.script import Script, load_script, parse_script

__all__ = [
    "Script", "Segment", "SpeechAnalysis", "SpeechOptions", "Word", "analyse_speech",
    "load_script", "parse_script",
]
