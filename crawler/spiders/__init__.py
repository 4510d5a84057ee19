"""One generic spider per discovery method (feeds, sitemaps, sections), and `news` for all three."""
