"""The use cases: the ledger application, one method per thing a person does, each deciding on aggregates.

Recording, disputing, sealing, accounts, calendar rulings, deadline records, the imports of files and
exports, the demo year, and the reading use cases the CLI and the web service share. Each validates
against the year's ruleset, then appends with one ``save()``; none reads the read model to decide.
"""
