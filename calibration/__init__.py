"""Pixel-to-centimetre scale, fist width and camera-view checks. Pure (numpy only)."""
