"""Bytes -> clean articles -> sentences and chunks.

``formats`` reads a file's text as lines and stated metadata; ``pubdate`` reads
publication dates, deciding day/month order by evidence; ``cleaning`` drops
page furniture and reads metadata; ``dedupe`` finds the same story saved twice;
``corpus`` owns the folder (which files, decoding, the corpus-wide steps);
``sentences``, ``chunking`` and ``split`` cut a document into retrieval units
with exact offsets; ``tokens`` counts cl100k tokens; ``uploads`` adds a file to
the folder; ``text`` holds the helpers every stage shares.  Nothing here knows
a model, an index or a question.
"""
