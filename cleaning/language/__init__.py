"""Language: Unicode scripts first, a statistical model for the rest, Simplified vs Traditional Chinese."""
