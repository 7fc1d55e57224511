import Foundation
import Texts

/// The roll call of one session in roster order, with the audit chain's verdict taken in the same read: what every
/// report format (CSV, JSON, the HTML sheets, `.xlsx`) and the dashboard are made from.
public struct AttendanceReport: Sendable, Equatable {
    /// One delegate's line.
    public struct Row: Sendable, Equatable {
        public var delegateID: String
        public var name: String
        public var unit: String?
        public var seat: String?
        public var status: AttendanceStatus
        /// Time of the first confirmed sighting or manual check-in (kept when the delegate leaves).
        public var firstSeen: Date?
        /// When the delegate checked out after arriving (status `left`).
        public var leftAt: Date?
        public var gate: String?
        /// Match distance of the first confirmed sighting (face only).
        public var distance: Double?
        public var method: AttendanceMethod?
        /// Reason of the manual event that explains the status (check-in, excuse, leaving), if any.
        public var note: String?

        public init(delegateID: String, name: String, unit: String? = nil, seat: String? = nil, status: AttendanceStatus,
                    firstSeen: Date? = nil, leftAt: Date? = nil, gate: String? = nil, distance: Double? = nil,
                    method: AttendanceMethod? = nil, note: String? = nil) {
            self.delegateID = delegateID; self.name = name; self.unit = unit; self.seat = seat; self.status = status
            self.firstSeen = firstSeen; self.leftAt = leftAt; self.gate = gate; self.distance = distance; self.method = method
            self.note = note
        }
    }

    /// Counts of one delegation (đoàn), or of the whole roster.
    public struct Counts: Sendable, Equatable {
        /// The delegation; `nil` for delegates without one (and for the totals).
        public var unit: String?
        public var present = 0, left = 0, absent = 0, excused = 0
        /// Delegates on the roster.
        public var expected: Int { present + left + absent + excused }
        /// Delegates who came, whether or not they are still here.
        public var arrived: Int { present + left }

        public init(unit: String? = nil) { self.unit = unit }

        public subscript(_ status: AttendanceStatus) -> Int {
            switch status {
            case .present: present
            case .left: left
            case .absent: absent
            case .excused: excused
            }
        }

        mutating func add(_ status: AttendanceStatus) {
            switch status {
            case .present: present += 1
            case .left: left += 1
            case .absent: absent += 1
            case .excused: excused += 1
            }
        }
    }

    public var session: SessionInfo
    /// Roster order.
    public var rows: [Row]
    /// When the report was made.
    public var generatedAt: Date
    /// Audit chain head hash at report time, printed so a signed sheet anchors the chain.
    public var chainHead: String
    /// The audit chain's verdict, checked in the same read as the rows: a report says itself when it is broken.
    public var audit: AuditVerdict

    public init(session: SessionInfo, rows: [Row], generatedAt: Date, chainHead: String, audit: AuditVerdict? = nil) {
        self.session = session; self.rows = rows; self.generatedAt = generatedAt; self.chainHead = chainHead
        self.audit = audit ?? AuditVerdict(checked: 0, brokenLink: nil, problem: nil, headHash: chainHead)
    }

    /// Count of rows with `status`.
    public func count(_ status: AttendanceStatus) -> Int { totals[status] }

    /// Counts over the whole roster.
    public var totals: Counts {
        var counts = Counts()
        for row in rows { counts.add(row.status) }
        return counts
    }

    /// Counts per delegation, in the order delegations first appear on the roster; delegates without one come last.
    public var units: [Counts] {
        var order: [String?] = []
        var counts: [String?: Counts] = [:]
        for row in rows {
            if counts[row.unit] == nil { order.append(row.unit); counts[row.unit] = Counts(unit: row.unit) }
            counts[row.unit]!.add(row.status)
        }
        return (order.filter { $0 != nil } + order.filter { $0 == nil }).map { counts[$0]! }
    }

    /// Rows of one delegation, roster order.
    public func rows(ofUnit unit: String?) -> [Row] { rows.filter { $0.unit == unit } }

    /// Quorum: delegates present now against the roster under the session's rule.
    public var quorum: Quorum { Quorum(expected: rows.count, present: count(.present), rule: session.quorumRule) }

    /// "Totals: 3 present, 1 left, 1 absent, 1 excused, 6 expected" (English, for logs and tests).
    public var totalsLine: String {
        let t = totals
        return "Totals: \(t.present) present, \(t.left) left, \(t.absent) absent, \(t.excused) excused, \(t.expected) expected"
    }

    /// ISO 8601 with an explicit numeric offset, e.g. `2026-05-01T08:30:12+07:00` (see `SiteTime.iso8601`).
    public static func iso8601(_ date: Date, timeZone: TimeZone) -> String { SiteTime(timeZone: timeZone).iso8601(date) }
}
