"""Vector tiles: the layers, their SQL, the cache and the fast path for cache hits."""
