"""Blend: a playlist two users share, mixed from both of their listening and libraries and
refreshed daily.

The public face: the service, what one refresh did, and the mixing rule with its picks.
"""

from tonearm.blend.mix import Pick, Reason, Rule, mix
from tonearm.blend.service import AlreadyBlended, BlendNotFound, BlendService, Refreshed, blend

__all__ = [
    "AlreadyBlended",
    "BlendNotFound",
    "BlendService",
    "Pick",
    "Reason",
    "Refreshed",
    "Rule",
    "blend",
    "mix",
]
