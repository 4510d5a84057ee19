"""Extraction: the article body from a decoded page, with boilerplate removed."""
