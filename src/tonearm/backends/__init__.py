"""One Protocol per concern, adapters picked by URL scheme through a registry."""
