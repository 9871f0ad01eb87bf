"""Library: the tracks and albums a user saved, and the artists and users they follow."""

from tonearm.library.service import KINDS, Kind, LibraryService, library

__all__ = ["KINDS", "Kind", "LibraryService", "library"]
