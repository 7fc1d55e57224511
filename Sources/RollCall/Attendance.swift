import Foundation

/// How a delegate's presence was established.
public enum AttendanceMethod: String, Sendable, Codable, CaseIterable {
    /// A confirmed face recognition at a gate.
    case face
    /// A secretariat `checkin` with a reason.
    case manual
}

/// A delegate's standing in a session. The raw values are the codes machine outputs carry (`status` in JSON and CSV).
///
/// - `present` (Có mặt): arrived (first confirmed sighting or manual check-in) and not checked out since.
/// - `left` (Đã về sớm): arrived, then checked out with a reason. The record keeps the arrival; the delegate no
///   longer counts as present now, nor towards the quorum, until checked in again.
/// - `excused` (Vắng có phép): never arrived, and the secretariat recorded a check-out with a reason (an excused
///   absence declared beforehand). Arriving afterwards makes them `present`.
/// - `absent` (Vắng): neither.
public enum AttendanceStatus: String, Sendable, Codable, CaseIterable {
    case present, left, absent, excused

    /// Roster-friendly order for counts: present, left, absent, excused.
    public static let displayOrder: [AttendanceStatus] = [.present, .left, .absent, .excused]
}

/// Kind of a secretariat event.
public enum ManualEventKind: String, Sendable, Codable, CaseIterable {
    case checkin, checkout
}

/// One delegate's chained facts in a session, and the standing they add up to.
public struct PresenceHistory: Sendable, Equatable {
    /// A secretariat event as the status rule needs it.
    public struct Event: Sendable, Equatable {
        public var kind: ManualEventKind
        public var at: Date
        public var reason: String
        public init(kind: ManualEventKind, at: Date, reason: String) { self.kind = kind; self.at = at; self.reason = reason }
    }

    /// Time of the attendance record (first confirmed sighting or manual check-in), if any.
    public var arrival: Date?
    /// Manual events in the order they were recorded.
    public var events: [Event]

    public init(arrival: Date?, events: [Event]) { self.arrival = arrival; self.events = events }

    /// What the history adds up to.
    public struct Standing: Sendable, Equatable {
        public var status: AttendanceStatus
        /// When the delegate left (status `left`).
        public var leftAt: Date?
        /// The reason of the event that explains the status, if one does.
        public var note: String?
    }

    /// The rule:
    /// - never arrived: `excused` if any check-out was recorded (its last reason is the note), else `absent`;
    /// - arrived: the last event at or after the arrival decides — a check-out makes the delegate `left` at that time,
    ///   a check-in (back in the hall) or no event keeps them `present`. Events before the arrival (an excuse, then
    ///   the delegate came after all) do not count.
    public var standing: Standing {
        guard let arrival else {
            let excuse = events.last { $0.kind == .checkout }
            return Standing(status: excuse == nil ? .absent : .excused, leftAt: nil, note: excuse?.reason)
        }
        guard let last = events.last(where: { $0.at >= arrival }) else {
            return Standing(status: .present, leftAt: nil, note: nil)
        }
        if last.kind == .checkout { return Standing(status: .left, leftAt: last.at, note: last.reason) }
        return Standing(status: .present, leftAt: nil, note: last.reason)
    }
}

/// A quorum check: delegates present now against the roster under the session's rule.
///
/// Excused delegates still count in `expected` (an excuse explains an absence, it does not shrink the body);
/// delegates who left do not count in `present`.
public struct Quorum: Sendable, Equatable, Codable {
    /// Delegates on the roster.
    public var expected: Int
    /// Delegates present now.
    public var present: Int
    /// The session's rule.
    public var rule: QuorumRule
    /// Delegates needed.
    public var required: Int { rule.required(of: expected) }
    /// Whether the quorum is reached.
    public var isMet: Bool { expected > 0 && present >= required }

    public init(expected: Int, present: Int, rule: QuorumRule) {
        self.expected = expected; self.present = present; self.rule = rule
    }

    /// "At least `fraction`" of the roster, the fraction read as the simplest exact one it stands for
    /// (`QuorumRule.legacy`).
    public init(expected: Int, present: Int, fraction: Double) {
        self.init(expected: expected, present: present, rule: .legacy(fraction))
    }

    /// "Quorum: 26 of 39 present, at least 2/3 needs 26: MET" (English, for logs and tests; people read `Texts`).
    public var line: String {
        let needs = rule.comparison == .atLeast ? "at least" : "more than"
        return "Quorum: \(present) of \(expected) present, \(needs) \(rule.fraction) needs \(required): \(isMet ? "MET" : "NOT MET")"
    }

    enum CodingKeys: String, CodingKey { case expected, present, rule, comparison, required, met }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(expected, forKey: .expected)
        try c.encode(present, forKey: .present)
        try c.encode(rule.description, forKey: .rule)
        try c.encode(rule.comparison, forKey: .comparison)
        try c.encode(required, forKey: .required)
        try c.encode(isMet, forKey: .met)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(expected: try c.decode(Int.self, forKey: .expected), present: try c.decode(Int.self, forKey: .present),
                  rule: try QuorumRule.parse(try c.decode(String.self, forKey: .rule)))
    }
}

/// A meeting session as reports show it.
public struct SessionInfo: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The quorum rule the session was opened with.
    public var quorumRule: QuorumRule
    public var openedAt: Date
    public var closedAt: Date?

    public init(id: Int64, name: String, quorumRule: QuorumRule, openedAt: Date, closedAt: Date?) {
        self.id = id; self.name = name; self.quorumRule = quorumRule; self.openedAt = openedAt; self.closedAt = closedAt
    }

    /// The rule's fraction as a number, for display and older callers (counting uses `quorumRule`).
    public var quorum: Double { quorumRule.approximateValue }
}
