"""Listening: plays in, history and anonymous play tallies out, and the streams and skips
recommendations learn from, and the counted streams the warehouse exports."""

from tonearm.listening.schemas import Feedback, PlayedContext, PlayRecord
from tonearm.listening.service import SKIP_MS, CountedStream, ListeningService, listening

__all__ = [
    "SKIP_MS",
    "CountedStream",
    "Feedback",
    "ListeningService",
    "PlayRecord",
    "PlayedContext",
    "listening",
]
