"""Arrow's memory pool for long runs: the system allocator, which hands freed pages back.

Arrow's default pool (mimalloc) keeps freed pages per thread for reuse; a streaming run that
reads and writes Parquet in every commit saw its resident memory creep up commit after commit
(30,000 pages, benchmarks/streaming.py: 264 -> 313 MiB after commits, peak 363 MiB; with the
system pool 233 -> 261 MiB, peak 321 MiB). An explicit ARROW_DEFAULT_MEMORY_POOL is respected.
"""

from __future__ import annotations

import os

import pyarrow as pa

__all__ = ["use_system_pool"]


def use_system_pool() -> str:
    """Make the system allocator Arrow's default pool unless the user chose one; return the backend in use."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())
    return pa.default_memory_pool().backend_name
