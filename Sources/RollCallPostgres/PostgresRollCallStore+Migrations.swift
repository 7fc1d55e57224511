import PostgresNIO

extension PostgresRollCallStore {
    /// A versioned schema step. Shipped steps are frozen: change the schema by adding one with the next version.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var sql: [String]
    }

    /// The schema, the same tables and rules as the SQLite store's, in PostgreSQL's words.
    ///
    /// Times are BIGINT milliseconds since 1970 (UTC), so chained rows hash the same bytes they store; the schema,
    /// not Swift, keeps one open session, one attendance row per session and delegate, one row per gate-made id.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "create roll-call tables", sql: [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE delegate (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT, seat TEXT, roster_order BIGINT NOT NULL)
            """,
            """
            CREATE TABLE template (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delegate_id TEXT NOT NULL REFERENCES delegate(id) ON DELETE CASCADE,
                dimension BIGINT NOT NULL, sealed BYTEA NOT NULL, quality DOUBLE PRECISION,
                source_photo TEXT, source_sha256 TEXT, created_at BIGINT NOT NULL,
                pack_name TEXT, pack_digest TEXT,
                CHECK ((pack_name IS NULL) = (pack_digest IS NULL)))
            """,
            "CREATE INDEX template_delegate ON template(delegate_id)",
            "CREATE INDEX template_pack ON template(pack_name, pack_digest)",
            """
            CREATE TABLE session (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL,
                quorum DOUBLE PRECISION NOT NULL CHECK (quorum >= 0 AND quorum <= 1), quorum_rule TEXT,
                opened_at BIGINT NOT NULL, closed_at BIGINT)
            """,
            // At most one open session: every open row indexes the same value.
            "CREATE UNIQUE INDEX session_one_open ON session ((closed_at IS NULL)) WHERE closed_at IS NULL",
            // delegate_id is not a foreign key: the log outlives a removed delegate.
            """
            CREATE TABLE sighting (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, uid UUID NOT NULL UNIQUE,
                session_id BIGINT NOT NULL REFERENCES session(id), delegate_id TEXT, gate TEXT NOT NULL,
                distance DOUBLE PRECISION, seen_at BIGINT NOT NULL)
            """,
            "CREATE INDEX sighting_session ON sighting(session_id, seen_at)",
            // Chained rows reference no delegate: they must never be deleted by a cascade.
            """
            CREATE TABLE attendance (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id BIGINT NOT NULL REFERENCES session(id), delegate_id TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('face', 'manual')), gate TEXT, distance DOUBLE PRECISION,
                seen_at BIGINT NOT NULL, seq BIGINT NOT NULL UNIQUE, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
                sighting_uid UUID UNIQUE,
                UNIQUE (session_id, delegate_id))
            """,
            """
            CREATE TABLE manual_event (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id BIGINT NOT NULL REFERENCES session(id), delegate_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('checkin', 'checkout')),
                reason TEXT NOT NULL CHECK (length(trim(reason)) > 0), operator TEXT, at BIGINT NOT NULL,
                seq BIGINT NOT NULL UNIQUE, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
            "CREATE INDEX manual_event_session ON manual_event(session_id, delegate_id)",
            """
            CREATE TABLE audit_event (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                action TEXT NOT NULL CHECK (length(trim(action)) > 0), actor TEXT NOT NULL CHECK (length(trim(actor)) > 0),
                detail TEXT, at BIGINT NOT NULL, seq BIGINT NOT NULL UNIQUE, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
        ]),
    ]

    /// Applies the steps this database lacks, in order, in one transaction under a lock, so two processes starting
    /// at once do not both migrate.
    static func migrate(_ connections: PostgresConnections) throws {
        try connections.transaction { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try tx.execute("""
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try tx.rows("SELECT version FROM schema_migration").map { try $0["version"].decode(Int64.self) })
            for migration in migrations where !applied.contains(Int64(migration.version)) {
                for statement in migration.sql { try tx.execute(PostgresQuery(unsafeSQL: statement)) }
                try tx.execute("INSERT INTO schema_migration (version, name) VALUES (\(Int64(migration.version)), \(migration.name))")
            }
        }
    }

    /// Advisory lock keys (arbitrary, fixed): one for migrations, one for the audit chain.
    static let migrationLock: Int64 = 0x526F_6C6C_0001
    static let chainLock: Int64 = 0x526F_6C6C_0002
}
