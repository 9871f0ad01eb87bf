"""Catalog: artists, albums, tracks, their audio files and rights."""
