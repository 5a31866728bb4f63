"""Errors the library raises.  Each says what was wrong, the value seen, and the fix.

Only ``cli.py`` and ``app.py`` turn these into messages and exit codes.
"""


class AssistantError(Exception):
    """Base class: every error the library raises on purpose."""


class CorpusError(AssistantError):
    """The corpus folder is missing, empty, or holds no usable article."""


class ArticleError(AssistantError):
    """One article cannot be read (binary, not UTF-8, empty, too large, bad front matter)."""


class IndexMissingError(AssistantError):
    """No index has been built at the given folder."""


class IndexCorruptError(AssistantError):
    """Index files are missing, truncated or disagree with the manifest."""


class IndexMismatchError(AssistantError):
    """The index was built with another model, format or chunking than asked for."""


class IndexOutdatedError(IndexMismatchError):
    """The index was written in an older format; ``assistant index`` rebuilds it."""


class IndexBusyError(AssistantError):
    """Another process holds the index build lock."""


class ModelError(AssistantError):
    """An embedding or reranking model cannot be found or loaded."""


class QueryError(AssistantError):
    """A question or search request is empty, too long, or has bad filters."""


class SettingsError(AssistantError):
    """An unknown setting or an invalid value."""


class FetchError(AssistantError):
    """A page or feed cannot be fetched: refused address, timeout, wrong type, too large, HTTP error.

    ``transient`` when trying again later may succeed (no answer, a broken connection, a
    server error), as opposed to a refusal of what the address is."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
