"""The edges a person uses: the command line, the page's rendering, feedback.

Only here (and in ``app.py``) do errors become messages; these modules use the
``Assistant`` of ``pipeline`` and never reach into the index.
"""
