"""Metadata: title, authors, dates, canonical URL and site name, each from its strongest source."""
