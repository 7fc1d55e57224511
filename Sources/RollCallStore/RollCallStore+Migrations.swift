import GRDB

extension RollCallStore {
    /// The schema, one named migration per table group. Shipped migrations are frozen: change the schema by adding one.
    ///
    /// Times are INTEGER milliseconds since 1970 (UTC), so chained rows hash the same bytes they store.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 create meta") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v1 create delegate") { db in
            try db.create(table: "delegate") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("unit", .text)
                t.column("seat", .text)
                t.column("roster_order", .integer).notNull()
            }
        }
        migrator.registerMigration("v1 create template") { db in
            try db.create(table: "template") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("delegate_id", .text).notNull().indexed().references("delegate", onDelete: .cascade)
                t.column("dimension", .integer).notNull()
                t.column("sealed", .blob).notNull()
                t.column("quality", .double)
                t.column("source_photo", .text)
                t.column("source_sha256", .text)
                t.column("created_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v1 create session") { db in
            try db.create(table: "session") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("quorum", .double).notNull().check { $0 >= 0 && $0 <= 1 }
                t.column("opened_at", .integer).notNull()
                t.column("closed_at", .integer)
            }
            // At most one open session: every open row indexes the same value.
            try db.execute(sql: "CREATE UNIQUE INDEX session_one_open ON session(closed_at IS NULL) WHERE closed_at IS NULL")
        }
        migrator.registerMigration("v1 create sighting") { db in
            // delegate_id is not a foreign key: the log outlives a removed delegate.
            try db.create(table: "sighting") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .integer).notNull().references("session")
                t.column("delegate_id", .text)
                t.column("gate", .text).notNull()
                t.column("distance", .double)
                t.column("seen_at", .integer).notNull()
            }
            try db.create(index: "sighting_session", on: "sighting", columns: ["session_id", "seen_at"])
        }
        migrator.registerMigration("v1 create attendance and manual_event (hash-chained)") { db in
            // Neither references delegate: chained rows must never be deleted by a cascade.
            try db.create(table: "attendance") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .integer).notNull().references("session")
                t.column("delegate_id", .text).notNull()
                t.column("method", .text).notNull().check { ["face", "manual"].contains($0) }
                t.column("gate", .text)
                t.column("distance", .double)
                t.column("seen_at", .integer).notNull()
                t.column("seq", .integer).notNull().unique()
                t.column("prev_hash", .text).notNull()
                t.column("hash", .text).notNull()
                t.uniqueKey(["session_id", "delegate_id"])
            }
            try db.create(table: "manual_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .integer).notNull().references("session")
                t.column("delegate_id", .text).notNull()
                t.column("kind", .text).notNull().check { ["checkin", "checkout"].contains($0) }
                t.column("reason", .text).notNull().check(sql: "length(trim(reason)) > 0")
                t.column("operator", .text)
                t.column("at", .integer).notNull()
                t.column("seq", .integer).notNull().unique()
                t.column("prev_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            try db.create(index: "manual_event_session", on: "manual_event", columns: ["session_id", "delegate_id"])
        }
        migrator.registerMigration("v2 template pack") { db in
            // Which model pack made each template (`TemplatePack`): the name and the embedder digest, both or neither.
            // Rows stored before this migration keep NULL in both: nothing recorded which pack made them, and both
            // bundled packs already existed and make 128-d vectors, so no pack can be inferred. They are refused for
            // matching and enrollment until an operator vouches for a pack (`assignPack`) or they are erased.
            try db.alter(table: "template") { t in
                t.add(column: "pack_name", .text)
                t.add(column: "pack_digest", .text).check(sql: "(pack_name IS NULL) = (pack_digest IS NULL)")
            }
            // Sorted by pack, the first and last rows tell whether the table holds one pack (see `requireOnlyTemplates`).
            try db.create(index: "template_pack", on: "template", columns: ["pack_name", "pack_digest"])
        }
        migrator.registerMigration("v3 create audit_event (hash-chained) and api_token") { db in
            // Who did what outside attendance: sessions opened and closed, tokens made and revoked, keys rotated,
            // templates purged. Chained with attendance and manual_event (one sequence), never deleted.
            try db.create(table: "audit_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("action", .text).notNull().check(sql: "length(trim(action)) > 0")
                t.column("actor", .text).notNull().check(sql: "length(trim(actor)) > 0")
                t.column("detail", .text)
                t.column("at", .integer).notNull()
                t.column("seq", .integer).notNull().unique()
                t.column("prev_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            // HTTP API tokens, one per person: only the SHA-256 of the secret is kept (the secret is printed once).
            try db.create(table: "api_token") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().check(sql: "length(trim(name)) > 0")
                t.column("role", .text).notNull().check { ["viewer", "operator", "admin"].contains($0) }
                t.column("secret_sha256", .text).notNull().unique()
                t.column("created_at", .integer).notNull()
                t.column("expires_at", .integer)
                t.column("revoked_at", .integer)
            }
            // One live token per name, so the audit chain's names say who.
            try db.execute(sql: "CREATE UNIQUE INDEX api_token_live_name ON api_token(name) WHERE revoked_at IS NULL")
        }
        migrator.registerMigration("v4 session quorum rule") { db in
            // The exact rule ("2/3": at least two thirds, ">1/2": more than half), as `QuorumRule.description` writes
            // it. `quorum` keeps its approximation for older readers. Sessions opened before this migration keep NULL
            // and are read as "at least" their stored fraction (`QuorumRule.legacy`).
            try db.alter(table: "session") { t in
                t.add(column: "quorum_rule", .text)
            }
        }
        migrator.registerMigration("v5 gate-made sighting ids") { db in
            // The id a gate makes for each sighting (`Sighting.id`), so a retried write lands once; NULL for rows
            // logged before gates made ids (SQLite's UNIQUE lets any number of NULLs through).
            try db.alter(table: "sighting") { t in
                t.add(column: "uid", .text)
            }
            try db.create(index: "sighting_uid", on: "sighting", columns: ["uid"], unique: true)
            // Which confirmed sighting checked the delegate in, so a retry of it can say so again. Not chained.
            try db.alter(table: "attendance") { t in
                t.add(column: "sighting_uid", .text)
            }
        }
        return migrator
    }
}
