"""The read model's tables: the SQLite DDL every view (a file, memory, or PostgreSQL's local cache) is made with."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS tracking (
    application_name TEXT PRIMARY KEY, notification_id INTEGER NOT NULL, chain_hash BLOB);
CREATE TABLE IF NOT EXISTS log (
    nid INTEGER PRIMARY KEY, id TEXT, version INTEGER, type TEXT, unit TEXT, item TEXT,
    recorded_at TEXT, recorded_by TEXT, payload TEXT, authenticated_as TEXT);
CREATE INDEX IF NOT EXISTS log_id ON log(id);
CREATE TABLE IF NOT EXISTS rulesets (
    nid INTEGER PRIMARY KEY, year INTEGER, ruleset_id TEXT, sha256 TEXT, text TEXT, source TEXT,
    recorded_at TEXT, recorded_by TEXT);
CREATE TABLE IF NOT EXISTS occurrences (
    id TEXT PRIMARY KEY, nid INTEGER, unit TEXT, item TEXT, year INTEGER, date TEXT, count INTEGER,
    evidence TEXT, note TEXT, attachments TEXT, batch TEXT, source TEXT, recorded_at TEXT,
    recorded_by TEXT, retracted INTEGER DEFAULT 0, effective_count INTEGER);
CREATE INDEX IF NOT EXISTS occurrences_counted
    ON occurrences(year, unit, item, date, nid, retracted, effective_count, id);
CREATE TABLE IF NOT EXISTS assessments (
    id TEXT PRIMARY KEY, nid INTEGER, unit TEXT, item TEXT, year INTEGER, date TEXT, points TEXT,
    evidence TEXT, note TEXT, source TEXT, recorded_at TEXT, recorded_by TEXT);
CREATE INDEX IF NOT EXISTS assessments_by_item ON assessments(year, unit, item);
CREATE TABLE IF NOT EXISTS history (
    nid INTEGER PRIMARY KEY, target TEXT, type TEXT, at TEXT, by TEXT, reason TEXT, decision TEXT,
    count INTEGER, dispute TEXT);
CREATE INDEX IF NOT EXISTS history_by_target ON history(target);
CREATE TABLE IF NOT EXISTS disputes (
    id TEXT PRIMARY KEY, nid INTEGER, subject TEXT, target TEXT, unit TEXT, item TEXT, rate TEXT,
    reason TEXT, evidence TEXT, attachments TEXT, opened_at TEXT, opened_by TEXT, decision TEXT,
    count INTEGER, decision_reason TEXT, decided_at TEXT, decided_by TEXT);
CREATE INDEX IF NOT EXISTS disputes_by_target ON disputes(target);
CREATE TABLE IF NOT EXISTS workorders (
    order_id TEXT PRIMARY KEY, unit TEXT, dispatched_at TEXT, due_at TEXT, completed_at TEXT,
    reply_required INTEGER, replied INTEGER, satisfaction TEXT, counted INTEGER, observed_at TEXT,
    screened TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
-- The extra export columns a ruleset declares ([workorders] columns: 解决情况 …), as imported; absent: never stated.
CREATE TABLE IF NOT EXISTS workorder_fields (
    order_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (order_id, field)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, nid INTEGER, unit TEXT, kind TEXT, period TEXT, year INTEGER, date TEXT,
    evidence TEXT, recorded_at TEXT, recorded_by TEXT);
CREATE TABLE IF NOT EXISTS notices (
    notice TEXT PRIMARY KEY, id TEXT, nid INTEGER, unit TEXT, received TEXT, year INTEGER,
    evidence TEXT, recorded_at TEXT, recorded_by TEXT, explained TEXT, explanation_evidence TEXT,
    explained_at TEXT, explained_by TEXT);
CREATE TABLE IF NOT EXISTS calendar_rulings (date TEXT PRIMARY KEY, workday INTEGER, evidence TEXT, nid INTEGER);
CREATE TABLE IF NOT EXISTS calendar_years (year INTEGER PRIMARY KEY, evidence TEXT, nid INTEGER);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, login TEXT UNIQUE, name TEXT, role TEXT, unit TEXT, enabled INTEGER, password_set INTEGER,
    tokens INTEGER, opened_at TEXT, opened_by TEXT, changed_at TEXT, changed_by TEXT);
CREATE TABLE IF NOT EXISTS seals (
    nid INTEGER PRIMARY KEY, id TEXT, notification_id INTEGER, head TEXT, note TEXT,
    recorded_at TEXT, recorded_by TEXT);
"""
