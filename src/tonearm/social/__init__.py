"""Social: friends' activity from the playback topic, and the private-session switch."""

from tonearm.social.service import FriendPlay, SocialService, social

__all__ = ["FriendPlay", "SocialService", "social"]
