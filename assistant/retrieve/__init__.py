"""Query -> ranked passages: dense, lexical and fused search over one loaded index.

``filters`` holds what a search may look at (dates, publications, the query
itself); ``lexical`` is BM25; ``search`` is the ``Retriever`` that fuses them.
Retrieval reads an index; it never builds one.
"""
