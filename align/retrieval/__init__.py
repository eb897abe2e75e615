"""Retrieval and features: matching forms, weights against the background, TF-IDF candidates, programme terms, tiling."""
