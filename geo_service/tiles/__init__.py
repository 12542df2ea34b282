"""Vector tiles (MVT) and TileJSON for the hotspot, place and event-count layers."""
