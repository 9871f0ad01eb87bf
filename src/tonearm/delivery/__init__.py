"""Delivery: manifests with signed URLs, and the media route that serves the bytes."""
