/// A congress's quorum rule as an exact fraction of the delegates on the roster: "at least two thirds" (`2/3`) or
/// "more than half" (`>1/2`).
///
/// - `required(of:)` is integer arithmetic, never floating point: at least 2/3 of 39 is 26 (26 × 3 = 78 ≥ 2 × 39),
///   more than 1/2 of 40 is 21.
/// - The fraction is kept reduced (`4/6` is `2/3`), so two spellings of one rule compare equal.
/// - Decimals and percentages are read exactly (`0.5` is 1/2, `66,67%` is 6,667/10,000), with a comma or a point.
public struct QuorumRule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the count must reach the fraction or exceed it.
    public enum Comparison: String, Sendable, Hashable, Codable {
        /// present ≥ fraction × expected ("ít nhất", "at least").
        case atLeast = "at_least"
        /// present > fraction × expected ("quá", "more than").
        case moreThan = "more_than"
    }

    public let comparison: Comparison
    public let numerator: Int
    public let denominator: Int

    /// - Precondition: 0 ≤ numerator ≤ denominator, denominator > 0, and "more than" a fraction below 1.
    public init(_ comparison: Comparison, _ numerator: Int, _ denominator: Int) {
        precondition(denominator > 0 && numerator >= 0 && numerator <= denominator, "quorum fraction must lie in 0...1")
        precondition(comparison == .atLeast || numerator < denominator, "nobody can be more than all of the delegates")
        let divisor = Self.gcd(numerator, denominator)
        self.comparison = comparison
        self.numerator = numerator / divisor
        self.denominator = denominator / divisor
    }

    /// At least `numerator/denominator`.
    public static func atLeast(_ numerator: Int, _ denominator: Int) -> Self { Self(.atLeast, numerator, denominator) }
    /// More than `numerator/denominator`.
    public static func moreThan(_ numerator: Int, _ denominator: Int) -> Self { Self(.moreThan, numerator, denominator) }

    /// Delegates needed out of `expected`.
    public func required(of expected: Int) -> Int {
        let product = numerator * expected
        switch comparison {
        case .atLeast: return (product + denominator - 1) / denominator   // ⌈p·n/q⌉
        case .moreThan: return product / denominator + 1                 // ⌊p·n/q⌋ + 1
        }
    }

    /// `2/3` or `>1/2`: what `parse` reads back.
    public var description: String { (comparison == .moreThan ? ">" : "") + "\(numerator)/\(denominator)" }

    /// The fraction alone, `2/3`.
    public var fraction: String { "\(numerator)/\(denominator)" }

    /// The fraction as a floating-point number, for the legacy `session.quorum` column only (never for counting).
    public var approximateValue: Double { Double(numerator) / Double(denominator) }

    // MARK: - Reading

    /// Reads `2/3`, `>1/2`, `>=2/3`, `≥2/3`, `0.5`, `0,5`, `50%`, `>50%`.
    ///
    /// - Throws: `QuorumRuleError` naming the text and what is accepted.
    public static func parse(_ text: String) throws -> QuorumRule {
        var rest = Substring(text.filter { !$0.isWhitespace })
        var comparison = Comparison.atLeast
        for prefix in [">=", "≥"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        if rest.hasPrefix(">") { comparison = .moreThan; rest = rest.dropFirst() }
        let fraction: (Int, Int)?
        if let slash = rest.firstIndex(of: "/") {
            fraction = Int(rest[..<slash]).flatMap { p in Int(rest[rest.index(after: slash)...]).map { (p, $0) } }
        } else if rest.hasSuffix("%") {
            fraction = decimal(rest.dropLast()).map { ($0.0, $0.1 * 100) }
        } else {
            fraction = decimal(rest)
        }
        guard let (p, q) = fraction, q > 0, p >= 0, p <= q, comparison == .atLeast || p < q else {
            throw QuorumRuleError(text: text)
        }
        return QuorumRule(comparison, p, q)
    }

    /// An exact decimal `12.5` as 125/10 (at most 6 digits after the point).
    private static func decimal(_ text: Substring) -> (Int, Int)? {
        let parts = text.replacingOccurrences(of: ",", with: ".").split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              !parts[0].isEmpty || parts.count == 2, parts.count == 1 || (1...6).contains(parts[1].count) else { return nil }
        let digits = parts.count == 2 ? parts[1].count : 0
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        guard let whole = Int(parts[0].isEmpty ? "0" : String(parts[0])), whole <= 100_000 else { return nil }
        let fraction = parts.count == 2 ? Int(parts[1])! : 0
        return (whole * scale + fraction, scale)
    }

    /// The rule of a session stored before rules were exact (a bare fraction in 0...1, "at least"): the simplest
    /// fraction with a denominator up to 1,000 within 1e-9 of it (0.6666666666666666 is 2/3), else six decimals.
    public static func legacy(_ value: Double) -> QuorumRule {
        let clamped = min(1, max(0, value))
        for q in 1...1_000 {
            let p = (clamped * Double(q)).rounded()
            if abs(p / Double(q) - clamped) < 1e-9 { return .atLeast(Int(p), q) }
        }
        return .atLeast(Int((clamped * 1_000_000).rounded()), 1_000_000)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return max(a, 1)
    }
}

/// A quorum that cannot be read.
public struct QuorumRuleError: Error, Sendable, Equatable {
    /// What was given.
    public let text: String
}

import Foundation
import Texts

extension QuorumRuleError: CustomStringConvertible, LocalizedError {
    public var description: String { Texts.of(.en).format("quorum.error", ["text": text]) }
    public var errorDescription: String? { Texts.interface.format("quorum.error", ["text": text]) }
}

extension QuorumRule {
    /// "ít nhất 2/3", "quá 1/2" in `texts`' language.
    public func text(_ texts: Texts) -> String {
        texts.format(comparison == .atLeast ? "quorum.at_least" : "quorum.more_than", ["fraction": fraction])
    }
}
