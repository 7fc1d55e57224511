import Testing

@testable import RollCall

/// Quorum rules as congresses state them, counted without floating point.
struct QuorumRuleTests {
    @Test func atLeastTwoThirdsOf39Is26() throws {
        let rule = try QuorumRule.parse("2/3")
        #expect(rule == .atLeast(2, 3))
        #expect(rule.required(of: 39) == 26)   // 26 × 3 = 78 = 2 × 39: exactly two thirds is enough
        #expect(rule.required(of: 40) == 27)   // 26 × 3 = 78 < 80
        #expect(rule.required(of: 3) == 2)
        #expect(rule.required(of: 1_600) == 1_067)
    }

    @Test func moreThanHalfOf40Is21() throws {
        let rule = try QuorumRule.parse(">1/2")
        #expect(rule == .moreThan(1, 2))
        #expect(rule.required(of: 40) == 21)   // 20 is exactly half, not more
        #expect(rule.required(of: 39) == 20)
        #expect(rule.required(of: 1) == 1)
    }

    @Test func boundaries() {
        let twoThirds = QuorumRule.atLeast(2, 3)
        #expect(Quorum(expected: 39, present: 25, rule: twoThirds).isMet == false)
        #expect(Quorum(expected: 39, present: 26, rule: twoThirds).isMet)
        let half = QuorumRule.moreThan(1, 2)
        #expect(Quorum(expected: 40, present: 20, rule: half).isMet == false)
        #expect(Quorum(expected: 40, present: 21, rule: half).isMet)
        #expect(Quorum(expected: 0, present: 0, rule: half).isMet == false)
    }

    /// 0.6666666666666666 × 39 = 25.999999999999996 in floating point: a float rule would need 26 by luck of rounding,
    /// and 2/3 of 3,000,000,000 breaks it outright; integers do not care.
    @Test func noFloatRounding() throws {
        #expect(QuorumRule.atLeast(2, 3).required(of: 3_000_000_000) == 2_000_000_000)
        #expect(QuorumRule.atLeast(1, 3).required(of: 300) == 100)
        // 0.55 × 100 = 55.00000000000001 in floating point, whose ceiling is 56; 55 of 100 is 55 %.
        #expect(try QuorumRule.parse("55%").required(of: 100) == 55)
        #expect(try QuorumRule.parse("0,55").required(of: 200) == 110)
        // Rounding is not the rule either: two thirds of 41 is 27.33…, so 28 are needed.
        #expect(QuorumRule.atLeast(2, 3).required(of: 41) == 28)
        #expect(QuorumRule.moreThan(2, 3).required(of: 39) == 27)
    }

    @Test func spellings() throws {
        #expect(try QuorumRule.parse(" >= 2/3 ") == .atLeast(2, 3))
        #expect(try QuorumRule.parse("≥4/6") == .atLeast(2, 3))
        #expect(try QuorumRule.parse("0.5") == .atLeast(1, 2))
        #expect(try QuorumRule.parse("0,5") == .atLeast(1, 2))
        #expect(try QuorumRule.parse("50%") == .atLeast(1, 2))
        #expect(try QuorumRule.parse(">50%") == .moreThan(1, 2))
        #expect(try QuorumRule.parse("66,67%") == .atLeast(6_667, 10_000))
        #expect(try QuorumRule.parse("1") == .atLeast(1, 1))
        for bad in ["", "3/2", ">1/1", "1/0", "two thirds", "-1/2", "1.5", "0.1234567"] {
            #expect(throws: QuorumRuleError.self, "\(bad)") { try QuorumRule.parse(bad) }
        }
        #expect(QuorumRule.moreThan(1, 2).description == ">1/2")
        #expect(try QuorumRule.parse(QuorumRule.moreThan(1, 2).description) == .moreThan(1, 2))
    }

    @Test func legacySessionsReadAsTheirSimplestFraction() {
        #expect(QuorumRule.legacy(2.0 / 3) == .atLeast(2, 3))
        #expect(QuorumRule.legacy(0.5) == .atLeast(1, 2))
        #expect(QuorumRule.legacy(0.3) == .atLeast(3, 10))
    }
}
