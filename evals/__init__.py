"""Newsdesk's evaluation: question sets, their metrics, baselines, reports and external data.

Not part of the product: installed with the ``eval`` extra (``pip install -e '.[eval]'``,
which ``make eval`` and ``make test`` do), imported only by ``assistant eval`` and
``assistant external``, and the only code that reads ``../shared/data``.
"""

import importlib

#: Packages the evaluation needs beyond the product's own (the ``eval`` extra of pyproject.toml).
EXTRA = ("sumy",)


def missing() -> list[str]:
    """The packages of the ``eval`` extra that cannot be imported."""
    absent = []
    for name in EXTRA:
        try:
            importlib.import_module(name)
        except ImportError:
            absent.append(name)
    return absent
