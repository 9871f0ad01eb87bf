"""Ingest: a master in, a published track with its ladder and HLS package out."""
