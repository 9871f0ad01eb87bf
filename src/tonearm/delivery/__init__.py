"""Delivery: manifests with signed URLs, and the media route that serves the bytes."""

from tonearm.delivery.service import DeliveryService, Listener, delivery

__all__ = ["DeliveryService", "Listener", "delivery"]
