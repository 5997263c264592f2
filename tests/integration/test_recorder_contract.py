"""eventsourcing's own recorder test cases, run against each of the ledger's chained recorders.

The chained recorders override parts of the library's recorders (the insert, the lock, the
factory); running the library's ApplicationRecorderTestCase against each shows that what they
override still keeps the library's contract — ids, ordering, conflicts, concurrency — and the
chain that each keeps over whatever those cases insert still verifies.
"""

from __future__ import annotations

import os
import tempfile
import uuid

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from ledger.storage.chain import verify_chain
from ledger.storage.chain_memory import ChainedPOPOApplicationRecorder
from ledger.storage.chain_sqlite import ChainedSQLiteApplicationRecorder
from ledger.storage.tree_check import verify_tree
from tests.conftest import BACKENDS, PG_URL


class ChainStaysValid:
    """After each library case, the chain over everything it inserted verifies."""

    recorders: list

    def tearDown(self) -> None:  # noqa: N802 - unittest's name
        for recorder in self.recorders:
            report = verify_chain(recorder)
            assert report.ok, report.failure
            tree = verify_tree(recorder)
            assert tree.ok, tree.failure
            assert tree.size == tree.events == report.count
        super().tearDown()


class TestChainedMemoryRecorder(ChainStaysValid, ApplicationRecorderTestCase):
    def setUp(self) -> None:  # noqa: N802
        self.recorders = []

    def create_recorder(self) -> ChainedPOPOApplicationRecorder:
        recorder = ChainedPOPOApplicationRecorder()
        self.recorders.append(recorder)
        return recorder


class TestChainedSQLiteRecorder(ChainStaysValid, ApplicationRecorderTestCase):
    def setUp(self) -> None:  # noqa: N802
        self.recorders = []
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:  # noqa: N802
        super().tearDown()
        self.dir.cleanup()

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        path = os.path.join(self.dir.name, f"{uuid.uuid4().hex}.db")
        recorder = ChainedSQLiteApplicationRecorder(SQLiteDatastore(db_name=path, lock_timeout=60))
        recorder.create_tables()
        self.recorders.append(recorder)
        return recorder


@pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")
class TestChainedPostgresRecorder(ChainStaysValid, ApplicationRecorderTestCase):
    def setUp(self) -> None:  # noqa: N802
        self.recorders = []
        self.schemas: list[str] = []
        self.datastores: list[PostgresDatastore] = []

    def tearDown(self) -> None:  # noqa: N802
        super().tearDown()
        for datastore in self.datastores:
            datastore.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def create_recorder(self):  # noqa: ANN201
        from ledger.storage.chain_postgres import ChainedPostgresApplicationRecorder

        schema = f"t_{uuid.uuid4().hex[:16]}"
        self.schemas.append(schema)
        user, rest = PG_URL.removeprefix("postgresql://").split("@", 1)
        hostport, dbname = rest.split("/", 1)
        host, port = hostport.split(":")
        datastore = PostgresDatastore(dbname=dbname.split("?")[0], host=host, port=port, user=user, password="",
                                      schema=schema, pool_size=4, max_overflow=4, lock_timeout=30)
        self.datastores.append(datastore)
        recorder = ChainedPostgresApplicationRecorder(datastore, events_table_name="ledger_events")
        recorder.create_tables()
        self.recorders.append(recorder)
        return recorder
