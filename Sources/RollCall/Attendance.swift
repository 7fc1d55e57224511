import Foundation

/// How a delegate's presence was established.
public enum AttendanceMethod: String, Sendable, Codable, CaseIterable {
    /// A confirmed face recognition at a gate.
    case face
    /// A secretariat `checkin` with a reason.
    case manual
}

/// A delegate's standing in a session.
///
/// - `present`: an attendance record exists (first confirmed sighting or manual check-in). Leaving later does not undo
///   it: the roll call records arrival.
/// - `excused`: no attendance record, and the secretariat recorded a `checkout` with a reason for this delegate in the
///   session (an excused absence declared before arrival). If the delegate arrives afterwards they are `present`.
/// - `absent`: neither.
public enum AttendanceStatus: String, Sendable, Codable, CaseIterable {
    case present, absent, excused

    /// The rule above.
    public static func derive(isPresent: Bool, hasCheckout: Bool) -> AttendanceStatus {
        isPresent ? .present : (hasCheckout ? .excused : .absent)
    }
}

/// Kind of a secretariat event.
public enum ManualEventKind: String, Sendable, Codable, CaseIterable {
    case checkin, checkout
}

/// A quorum check: present against expected under the session's fraction.
///
/// The rule is "at least `fraction` of the delegates on the roster": `required = ⌈fraction × expected⌉`. Excused
/// delegates still count in `expected` (an excuse explains an absence, it does not shrink the body).
public struct Quorum: Sendable, Equatable, Codable {
    /// Delegates on the roster.
    public var expected: Int
    /// Delegates present.
    public var present: Int
    /// The session's fraction, 0...1.
    public var fraction: Double
    /// Delegates needed.
    public var required: Int { Int((fraction * Double(expected) - 1e-9).rounded(.up)) }
    /// Whether the quorum is reached.
    public var isMet: Bool { expected > 0 && present >= required }

    public init(expected: Int, present: Int, fraction: Double) {
        precondition((0...1).contains(fraction), "fraction must lie in 0...1")
        self.expected = expected; self.present = present; self.fraction = fraction
    }

    /// "Quorum: 3 of 5 present (60.0%), required 4 (≥ 66.7%): NOT MET".
    public var line: String {
        let share = expected > 0 ? Double(present) * 100 / Double(expected) : 0
        return String(format: "Quorum: %d of %d present (%.1f%%), required %d (≥ %.1f%%): %@",
                      present, expected, share, required, fraction * 100, isMet ? "MET" : "NOT MET")
    }

    enum CodingKeys: String, CodingKey { case expected, present, fraction, required, met }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(expected, forKey: .expected)
        try c.encode(present, forKey: .present)
        try c.encode(fraction, forKey: .fraction)
        try c.encode(required, forKey: .required)
        try c.encode(isMet, forKey: .met)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(expected: try c.decode(Int.self, forKey: .expected), present: try c.decode(Int.self, forKey: .present),
                  fraction: try c.decode(Double.self, forKey: .fraction))
    }
}

/// A meeting session as reports show it.
public struct SessionInfo: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// Quorum fraction, 0...1.
    public var quorum: Double
    public var openedAt: Date
    public var closedAt: Date?

    public init(id: Int64, name: String, quorum: Double, openedAt: Date, closedAt: Date?) {
        self.id = id; self.name = name; self.quorum = quorum; self.openedAt = openedAt; self.closedAt = closedAt
    }
}
