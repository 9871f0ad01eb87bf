"""Listening: plays in, history and anonymous play tallies out, and the streams and skips
recommendations learn from."""

from tonearm.listening.schemas import Feedback, PlayedContext, PlayRecord
from tonearm.listening.service import SKIP_MS, ListeningService, listening

__all__ = ["SKIP_MS", "Feedback", "ListeningService", "PlayRecord", "PlayedContext", "listening"]
