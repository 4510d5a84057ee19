"""Storage: the only code that reads or writes the Parquet datasets and side tables."""
