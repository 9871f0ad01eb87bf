"""Listening: plays in, history and anonymous play tallies out."""

from tonearm.listening.schemas import PlayRecord
from tonearm.listening.service import ListeningService, listening

__all__ = ["ListeningService", "PlayRecord", "listening"]
