"""Uploads: generated names inside the corpus folder, and every refusal indexing would make."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.errors import ArticleError
from assistant.ingest.corpus import SUFFIXES, read_corpus
from assistant.ingest.uploads import store_upload

MAX = 100_000
TEXT = (
    "Envoys Meet in Geneva\n\n"
    "Negotiators from both delegations met in Geneva on Monday to discuss shipping lanes.\n\n"
    "The talks lasted four hours and ended with an agreement to meet again in May.\n"
)
MARKDOWN = (
    "# Harbour Reopens\n\n"
    "The **harbour** in Valletta reopened on Tuesday after a week of storms.\n\n"
    "- Ferries resumed their regular schedule by the afternoon.\n"
)
HTML = """<!doctype html><html><head><title>Quiet Diplomacy Returns</title></head>
<body><article><h1>Quiet Diplomacy Returns</h1>
<p>Officials from both countries met in Anchorage on Thursday to discuss a long list of grievances.</p>
<p>The meeting lasted three hours and ended without a joint statement, a senior official said.</p>
</article></body></html>
"""


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def expected_name(data: bytes, suffix: str) -> str:
    return f"upload-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"


@pytest.fixture
def corpus(tmp_path) -> Path:
    return tmp_path / "deep" / "corpus"  # missing on purpose: store_upload creates it


@pytest.mark.parametrize(
    ("filename", "content", "suffix"),
    [("envoys.txt", TEXT, ".txt"), ("Harbour.MD", MARKDOWN, ".md"), ("page.html", HTML, ".html")],
)
def test_good_upload_is_written_under_its_hash_and_indexed(corpus, filename, content, suffix):
    data = content.encode("utf-8")
    path = store_upload(corpus, filename, data, max_bytes=MAX)
    assert path == corpus / expected_name(data, suffix)
    assert path.read_bytes() == data
    assert files_under(corpus) == {path}  # no temp file left behind
    scan = read_corpus(corpus)
    assert [a.document.doc_id for a in scan.articles] == [path.name]
    assert scan.skipped == ()


@pytest.mark.parametrize("filename", ["../../evil.txt", "a/b\\c.txt", "..\\..\\evil.txt", "/etc/evil.txt"])
def test_path_in_the_filename_is_ignored(tmp_path, filename):
    corpus = tmp_path / "outer" / "corpus"
    corpus.mkdir(parents=True)
    data = TEXT.encode("utf-8")
    path = store_upload(corpus, filename, data, max_bytes=MAX)
    assert path.parent == corpus
    assert path.name == expected_name(data, ".txt")
    assert files_under(tmp_path) == {path}  # nothing in outer/ or tmp_path itself
    assert not Path("/etc/evil.txt").exists()


def test_binary_upload_is_refused(corpus):
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 64
    with pytest.raises(ArticleError, match="binary"):
        store_upload(corpus, "picture.txt", png, max_bytes=MAX)
    assert not corpus.exists()


def test_undecodable_upload_is_refused(corpus):
    with pytest.raises(ArticleError, match="not UTF-8"):
        store_upload(corpus, "latin.txt", "Café au lait in Zürich\n".encode("latin-1"), max_bytes=MAX)


def test_empty_upload_is_refused(corpus):
    with pytest.raises(ArticleError, match="empty"):
        store_upload(corpus, "empty.txt", b"", max_bytes=MAX)


def test_oversize_upload_names_both_sizes(corpus):
    data = TEXT.encode("utf-8") * 100
    with pytest.raises(ArticleError, match="too large") as caught:
        store_upload(corpus, "big.txt", data, max_bytes=1_000)
    assert f"{len(data):,}" in str(caught.value) and "1,000" in str(caught.value)


@pytest.mark.parametrize(("filename", "suffix"), [("setup.exe", ".exe"), ("report.PDF", ".pdf"), ("README", "")])
def test_unsupported_type_names_the_allowed_ones(corpus, filename, suffix):
    with pytest.raises(ArticleError, match="unsupported file") as caught:
        store_upload(corpus, filename, TEXT.encode("utf-8"), max_bytes=MAX)
    message = str(caught.value)
    assert (suffix in message) if suffix else ("without suffix" in message)
    assert all(allowed in message for allowed in SUFFIXES)
    assert not corpus.exists()


def test_only_boilerplate_is_refused_with_the_indexing_reason(corpus):
    with pytest.raises(ArticleError, match="only boilerplate"):
        store_upload(corpus, "furniture.txt", b"Share on twitter\nRead More \xc2\xbb\n", max_bytes=MAX)


def test_exact_duplicate_is_refused_naming_the_existing_file(corpus):
    data = TEXT.encode("utf-8")
    (corpus / "2021").mkdir(parents=True)
    (corpus / "2021" / "envoys.txt").write_bytes(data)
    with pytest.raises(ArticleError, match="already in the corpus as 2021/envoys.txt"):
        store_upload(corpus, "again.md", data, max_bytes=MAX)


def test_second_upload_of_the_same_bytes_is_refused(corpus):
    data = TEXT.encode("utf-8")
    first = store_upload(corpus, "envoys.txt", data, max_bytes=MAX)
    with pytest.raises(ArticleError, match=f"already in the corpus as {first.name}"):
        store_upload(corpus, "envoys-copy.txt", data, max_bytes=MAX)
    assert files_under(corpus) == {first}


def test_utf16_with_bom_is_accepted(corpus):
    data = TEXT.encode("utf-16")  # writes a byte-order mark
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    path = store_upload(corpus, "wide.txt", data, max_bytes=MAX)
    (article,) = read_corpus(corpus).articles
    assert article.document.doc_id == path.name
    assert "Geneva on Monday" in article.document.text


def test_corpus_folder_that_cannot_be_created_is_reported(tmp_path):
    """A file where the corpus folder should be: fails for root too, unlike permissions."""
    from assistant.errors import CorpusError

    blocked = tmp_path / "corpus"
    blocked.write_text("not a folder")
    with pytest.raises(CorpusError):
        store_upload(blocked, "envoys.txt", TEXT.encode("utf-8"), max_bytes=MAX)
    assert blocked.read_text() == "not a folder"
