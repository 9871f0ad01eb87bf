"""Shared plumbing with no domain code: ids, signing, database sessions, paging, time."""
