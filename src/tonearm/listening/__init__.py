"""Listening: plays in, history and anonymous play tallies out."""
