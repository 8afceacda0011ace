"""Command-line client of the public API: ``zapdoc submit`` and ``zapdoc credits``."""
