"""The index on disk: immutable generations of FAISS files, row-aligned JSONL and a manifest.

``vectors`` chooses, builds and searches the FAISS files; ``generation`` writes a
generation atomically and opens one with every file verified; ``build`` brings a
generation up to date with the corpus folder, embedding only what changed.
"""
