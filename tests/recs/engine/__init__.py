"""Tests of the recommendation engine."""
