"""Ingest: a master in, a published track with its ladder and HLS package out.

The public face is small on purpose: ingest loads the audio stack, so its job lives in
`ingest.tasks` and is reached through the runtime and the CLI, not imported by other domains.
"""

from tonearm.ingest.schemas import Hints, IngestResult

__all__ = ["Hints", "IngestResult"]
