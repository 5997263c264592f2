"""The web service: ``hotline-ledger serve`` — the JSON API and the pages on one store (issue 13)."""
