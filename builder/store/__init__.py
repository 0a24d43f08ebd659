"""The data store in data/: read and check it, write it whole and crash-safe, under a lock.

Entry point: `builder.store.records` (load_store, save_store, store_lock).
May import: builder.core.
"""
