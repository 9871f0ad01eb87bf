"""Tests of the recommendations."""
