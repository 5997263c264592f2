"""The store's infrastructure: where the ledger's events live and what proves they were not changed.

Store URLs and the event mapper, the SQLite/PostgreSQL/in-memory recorders with their hash chain and
Merkle tree, the order index, evidence files, encryption, signing, credentials, provisioning and
grants, and what reads the stored bytes as they are: export, restore (``import ledger``) and verify.
"""
