"""Duplicates: content hashes, MinHash signatures and the index that finds copies across runs."""
