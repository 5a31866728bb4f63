"""The cleaning memo (``ingest.memo``): an update re-cleans only what changed, and what it
reads is exactly what a read without the memo gives.  Articles from a valley's local paper
(a bakery, a clinic, a choir, an orchard) sharing a footer the corpus learns as boilerplate."""

from __future__ import annotations

import os
import sqlite3

import pytest

from assistant.ingest import corpus
from assistant.ingest.corpus import read_corpus
from assistant.ingest.memo import Memo

FOOTER = "Valley Gazette: local news every morning"

ARTICLES = {
    "bakery.txt": (
        "Bakery on Mill Street doubles its bread ovens\nMarch 3, 2025\n"
        "The bakery on Mill Street has installed two new ovens to keep up with demand.\n"
        "Its owner, Marta Kowal, said queues had reached the corner most Saturdays.\n"
        "The shop will now open at six instead of seven.\n" + FOOTER + "\n"
    ),
    "clinic.txt": (
        "Clinic extends its evening hours\nMarch 4, 2025\n"
        "The valley clinic will stay open until nine on weekdays from April.\n"
        "Dr. Anil Rao said evening appointments were booked weeks ahead.\n"
        "Two more nurses have been hired for the late shift.\n" + FOOTER + "\n"
    ),
    "choir.txt": (
        "Choir wins the regional festival\nMarch 5, 2025\n"
        "The town choir won first prize at the regional festival on Sunday.\n"
        "Its conductor, Elin Berg, said the singers had rehearsed twice a week since autumn.\n"
        "The choir will perform its winning programme in the church hall in May.\n"
        "Photo: Gazette archive\n"
    ),
}
ORCHARD = (
    "Orchard opens its gates for blossom week\nMarch 6, 2025\n"
    "The hillside orchard will open to visitors during blossom week for the first time.\n"
    "Its owners said guided walks would start every hour from ten.\n"
    "Tickets will be sold at the gate, with children admitted free.\n"
)


@pytest.fixture
def valley(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def cleanings(monkeypatch):
    """The files each cleaning pass ran on, in order."""
    seen: list[str] = []
    build = corpus._build

    def spy(source, learned, site_rules=()):
        seen.append(source.doc_id)
        return build(source, learned, site_rules)

    monkeypatch.setattr(corpus, "_build", spy)
    return seen


def test_an_unchanged_corpus_is_not_cleaned_again_and_reads_the_same(valley, tmp_path, cleanings):
    path = tmp_path / "memo.sqlite"
    first = read_corpus(valley, memo=Memo(path))
    assert sorted(cleanings) == sorted([*ARTICLES, *ARTICLES])  # alone, then with the learned boilerplate
    cleanings.clear()
    again = read_corpus(valley, memo=Memo(path))
    assert cleanings == []
    assert again == first == read_corpus(valley)


def test_adding_an_article_cleans_only_it(valley, tmp_path, cleanings):
    path = tmp_path / "memo.sqlite"
    read_corpus(valley, memo=Memo(path))
    cleanings.clear()
    (valley / "orchard.txt").write_text(ORCHARD, encoding="utf-8")
    scan = read_corpus(valley, memo=Memo(path))
    assert cleanings == ["orchard.txt", "orchard.txt"]
    assert scan == read_corpus(valley)


def test_a_line_newly_learned_as_boilerplate_recleans_the_files_holding_it(valley, tmp_path, cleanings):
    """The choir's photo credit becomes boilerplate once another article repeats it: the
    choir's article must lose it, though its own bytes did not change."""
    path = tmp_path / "memo.sqlite"
    before = read_corpus(valley, memo=Memo(path))
    choir = next(a.document.text for a in before.articles if a.document.doc_id == "choir.txt")
    assert "Photo: Gazette archive" in choir
    cleanings.clear()
    (valley / "orchard.txt").write_text(ORCHARD + "Photo: Gazette archive\n", encoding="utf-8")
    scan = read_corpus(valley, memo=Memo(path))
    assert sorted(cleanings) == ["choir.txt", "orchard.txt", "orchard.txt"]
    assert scan == read_corpus(valley)
    assert "Photo" not in next(a.document.text for a in scan.articles if a.document.doc_id == "choir.txt")


def test_a_garbled_memo_is_replaced_not_trusted(valley, tmp_path, cleanings):
    path = tmp_path / "memo.sqlite"
    path.write_bytes(b"not a database" * 100)
    assert read_corpus(valley, memo=Memo(path)) == read_corpus(valley)
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from files").fetchone()[0] == len(ARTICLES)


def test_rows_of_removed_files_are_dropped_and_copies_found_from_kept_signatures(valley, tmp_path):
    path = tmp_path / "memo.sqlite"
    (valley / "bakery-copy.txt").write_text(ARTICLES["bakery.txt"] + "Updated at noon.\n", encoding="utf-8")
    first = read_corpus(valley, memo=Memo(path))
    assert [d.doc_id for d in first.duplicates] == ["bakery.txt"]  # the copy sorts first and is kept
    assert read_corpus(valley, memo=Memo(path)).duplicates == first.duplicates
    (valley / "choir.txt").unlink()
    read_corpus(valley, memo=Memo(path))
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from files").fetchone()[0] == len(ARTICLES)  # 3 files: 2 + the copy


@pytest.mark.parametrize("change", ["furniture rules", "cleaning code"])
def test_another_cleaning_context_reuses_nothing(valley, tmp_path, cleanings, monkeypatch, change):
    from assistant.ingest import memo

    path = tmp_path / "memo.sqlite"
    read_corpus(valley, memo=Memo(path))
    cleanings.clear()
    if change == "furniture rules":
        (valley / "furniture.toml").write_text(
            '[[furniture]]\nreason = "paper footer"\npattern = "valley gazette: .*"\n', encoding="utf-8"
        )
    else:
        monkeypatch.setattr(memo, "_ingest_source", lambda: "another version")
    assert read_corpus(valley, memo=Memo(path)) == read_corpus(valley)
    assert sorted(set(cleanings)) == sorted(ARTICLES)


@pytest.fixture
def reads(monkeypatch):
    """The files whose bytes were read, in order."""
    seen: list[str] = []
    read = corpus._read_bytes

    def spy(path, max_bytes):
        seen.append(os.path.basename(path))
        return read(path, max_bytes)

    monkeypatch.setattr(corpus, "_read_bytes", spy)
    return seen


@pytest.fixture
def searches(monkeypatch):
    """How many full duplicate searches ran."""
    seen: list[int] = []
    search = corpus.find_duplicates

    def spy(documents, **kwargs):
        seen.append(len(documents))
        return search(documents, **kwargs)

    monkeypatch.setattr(corpus, "find_duplicates", spy)
    return seen


def test_files_whose_status_is_unchanged_are_not_read_again(valley, tmp_path, reads, monkeypatch):
    monkeypatch.setattr(corpus, "SETTLED_NS", 0)  # the files were written just now: trust them at once
    path = tmp_path / "memo.sqlite"
    first = read_corpus(valley, memo=Memo(path))
    reads.clear()
    assert read_corpus(valley, memo=Memo(path)) == first
    assert reads == []


def test_an_edit_that_keeps_size_and_time_is_still_read(valley, tmp_path, reads, monkeypatch):
    """Same length, modification time put back: the status still differs (its change time moved)."""
    monkeypatch.setattr(corpus, "SETTLED_NS", 0)
    path = tmp_path / "memo.sqlite"
    read_corpus(valley, memo=Memo(path))
    bakery = valley / "bakery.txt"
    before = bakery.stat()
    bakery.write_text(ARTICLES["bakery.txt"].replace("two new ovens", "two big ovens"), encoding="utf-8")
    os.utime(bakery, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    scan = read_corpus(valley, memo=Memo(path))
    assert reads == ["bakery.txt"]
    assert scan == read_corpus(valley)
    assert "two big ovens" in next(a.document.text for a in scan.articles if a.document.doc_id == "bakery.txt")


def test_files_changed_too_recently_are_read(valley, tmp_path, reads):
    """Within two seconds of a change a time stamp proves nothing: the bytes are read."""
    path = tmp_path / "memo.sqlite"
    read_corpus(valley, memo=Memo(path))
    reads.clear()
    read_corpus(valley, memo=Memo(path))
    assert sorted(reads) == sorted(ARTICLES)


def test_duplicates_are_searched_again_only_when_a_change_meets_another_file(valley, tmp_path, searches):
    path = tmp_path / "memo.sqlite"
    read_corpus(valley, memo=Memo(path))
    assert searches == [3]
    searches.clear()
    (valley / "orchard.txt").write_text(ORCHARD, encoding="utf-8")  # a new story: meets nothing
    assert read_corpus(valley, memo=Memo(path)) == read_corpus(valley)
    assert searches == [4]  # the fresh read's own search; the memo's read kept the last verdicts
    searches.clear()
    copy = valley / "zz-clinic-again.txt"
    copy.write_text(ARTICLES["clinic.txt"] + "Updated at noon.\n", encoding="utf-8")
    scan = read_corpus(valley, memo=Memo(path))
    assert [(d.doc_id, d.kept) for d in scan.duplicates] == [("zz-clinic-again.txt", "clinic.txt")]
    assert scan == read_corpus(valley)
    assert searches == [5, 5]  # the copy meets its original: searched again
    searches.clear()
    (valley / "clinic.txt").unlink()  # the original goes: its copy takes its place
    scan = read_corpus(valley, memo=Memo(path))
    assert scan.duplicates == () and scan == read_corpus(valley)
    assert "zz-clinic-again.txt" in {a.document.doc_id for a in scan.articles}
    assert searches == [4, 4]


def test_a_memo_of_another_layout_is_dropped(valley, tmp_path):
    path = tmp_path / "memo.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table files (key text primary key, draft text, lines text not null)")
        db.execute("insert into files values ('k', '{}', '[]')")
    assert read_corpus(valley, memo=Memo(path)) == read_corpus(valley)
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from files").fetchone()[0] == len(ARTICLES)
