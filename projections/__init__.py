"""The read side: the read model built from the events, scoring, documents, proofs and published reports.

It only reads: nothing here appends to the store. ``reports/`` renders the published files (csv, xlsx,
html); the terminal's tables live with the command line (``cli_*.py``).
"""
