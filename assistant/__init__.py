"""Newsdesk: offline, cited, extractive question answering over news articles.

``import assistant`` stays light: torch, faiss, onnxruntime and gradio are
imported only by the functions that use them.
"""

from assistant.errors import (
    ArticleError,
    AssistantError,
    CorpusError,
    FetchError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexOutdatedError,
    ModelError,
    QueryError,
    SettingsError,
)
from assistant.pipeline import Assistant
from assistant.settings import Settings
from assistant.types import Chunk, Document, Passage, Sentence

__all__ = [
    "Assistant",
    "Settings",
    "Document",
    "Chunk",
    "Sentence",
    "Passage",
    "AssistantError",
    "ArticleError",
    "CorpusError",
    "FetchError",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexOutdatedError",
    "ModelError",
    "QueryError",
    "SettingsError",
]
