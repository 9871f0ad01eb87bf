"""Recommendations: audio-informed collaborative filtering with reasons — Discover Weekly,
Release Radar, Daily Mixes, radio, Home, seeded recommendations and related artists.

The public face: the service (one per process, holding the loaded model), its model store and
training, the moment a list is for, and the products' names.
"""

from tonearm.recs.lists import PRODUCTS, Built
from tonearm.recs.picking import Moment
from tonearm.recs.service import RecsService
from tonearm.recs.training import ModelStore, Trained, train

__all__ = ["PRODUCTS", "Built", "ModelStore", "Moment", "RecsService", "Trained", "train"]
