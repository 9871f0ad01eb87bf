"""The playlists tests' app with published tracks and users serves the social tests too."""

from tests.playlists.conftest import api

__all__ = ["api"]
