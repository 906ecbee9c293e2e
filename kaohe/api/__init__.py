"""Exchange between installations: the read API (django-ninja, OpenAPI 3), per-organisation tokens, and the
signed export of a plan's published results for networks that are not connected."""
