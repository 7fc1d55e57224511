import Foundation

/// A delegate on the roster: who may be called, in which order, and where they sit.
///
/// Names are kept in Unicode NFC so that a Vietnamese name typed on any keyboard (precomposed or with
/// combining marks) is stored and compared as the same bytes.
public struct Delegate: Sendable, Codable, Equatable, Hashable {
    /// The secretariat's identifier, unique on the roster (e.g. `D-042`).
    public var id: String
    /// Full name, NFC.
    public var name: String
    /// Delegation or unit, NFC; `nil` when the roster leaves it empty.
    public var unit: String?
    /// Seat label; `nil` when the roster leaves it empty.
    public var seat: String?
    /// Position on the roster (0-based), used to order reports.
    public var rosterOrder: Int

    public init(id: String, name: String, unit: String? = nil, seat: String? = nil, rosterOrder: Int) {
        self.id = id.nfc
        self.name = name.nfc
        self.unit = unit?.nfc
        self.seat = seat?.nfc
        self.rosterOrder = rosterOrder
    }
}

extension String {
    /// This string in Unicode Normalization Form C (canonical composition).
    public var nfc: String { precomposedStringWithCanonicalMapping }
}
