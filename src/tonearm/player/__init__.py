"""Player: each user's devices and the player state they share, controlled as Spotify's player
API is, pushed to every device over its socket, and Group Sessions around one host's queue."""

from tonearm.player.service import PlayerService, Start
from tonearm.player.sessions import GroupSession, GroupSessions
from tonearm.player.state import Device, Entry, PlayerState

__all__ = ["Device", "Entry", "GroupSession", "GroupSessions", "PlayerService", "PlayerState", "Start"]
