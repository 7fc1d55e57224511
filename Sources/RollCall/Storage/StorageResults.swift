import Foundation

/// What a manual check-in or check-out did.
public struct ManualEventResult: Sendable, Equatable {
    /// The session it went into.
    public var sessionID: Int64
    /// The manual event's row id.
    public var eventID: Int64
    /// For a check-in: whether it made the delegate present (false if they already were).
    public var newlyPresent: Bool
    /// The delegate's standing after the event (a check-out before arrival excuses, after arrival marks them left).
    public var status: AttendanceStatus
    /// The event's time.
    public var at: Date

    public init(sessionID: Int64, eventID: Int64, newlyPresent: Bool, status: AttendanceStatus, at: Date) {
        self.sessionID = sessionID; self.eventID = eventID; self.newlyPresent = newlyPresent; self.status = status; self.at = at
    }
}

/// What a roster import changed.
public struct RosterImportSummary: Sendable, Equatable, Codable {
    /// Delegates new to the database.
    public var inserted: Int
    /// Delegates already there, updated from the file.
    public var updated: Int
    /// Photos listed in the file (not yet enrolled).
    public var photos: Int
    /// Photo paths per delegate id, for enrollment.
    public var photosByDelegate: [String: [String]]

    public init(inserted: Int, updated: Int, photos: Int, photosByDelegate: [String: [String]]) {
        self.inserted = inserted; self.updated = updated; self.photos = photos; self.photosByDelegate = photosByDelegate
    }
}

/// The state of the template table as `RollCallStorage.templateVersion()` reads it: equal values mean the same
/// templates.
public struct TemplateVersion: Sendable, Equatable, CustomStringConvertible {
    /// Templates stored.
    public var count: Int
    /// The highest template id ever assigned (never reused, never lowered).
    public var lastID: Int64

    public init(count: Int, lastID: Int64) {
        self.count = count
        self.lastID = lastID
    }

    public var description: String { "\(count) templates, last id \(lastID)" }
}
