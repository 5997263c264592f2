"""The write side: everything that decides and appends, in rooms named for what they are (docs/layout.md).

``domain/`` the aggregates and the rules they decide by; ``usecases/`` the application, one method per
use case, the imports and the demo; ``storage/`` the store's infrastructure (recorders, hash chain,
Merkle tree, evidence, encryption, backup, export, verify); ``rulesets/`` the rubric as data;
``aggregates.py`` the index of the aggregates, at the name their stored events carry
(``ledger.aggregates:<class>``); ``translation.py`` and ``locale/`` the language people read.
"""
