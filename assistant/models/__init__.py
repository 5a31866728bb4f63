"""The bundled models, found on disk and run: never downloaded.

``bundled`` locates the model folders inside their packages; ``onnx`` runs an
ONNX model an input at a time; ``embedding`` turns text into vectors (e5 via ONNX
Runtime, or any sentence-transformers folder); ``rerank`` scores (question, text)
pairs with the cross-encoder; ``ner`` finds named entities (spaCy's small
English model); ``threads`` sets up the thread pools once.
"""
