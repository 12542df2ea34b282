"""Geocoding: coordinate systems, coordinate parsing, address and place matching."""
