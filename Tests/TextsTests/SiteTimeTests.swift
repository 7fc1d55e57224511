import Foundation
import Testing

@testable import Texts

struct SiteTimeTests {
    private let instant = Date(timeIntervalSince1970: 1_769_816_712)  // 2026-01-30T23:45:12Z

    @Test func peopleReadDayMonthYearHoursMinutesInTheSiteZone() {
        #expect(SiteTime.vietnam.display(instant) == "31/01/2026 06:45")
        #expect(SiteTime.vietnam.clock(instant) == "06:45")
        #expect(SiteTime(timeZone: TimeZone(identifier: "Europe/Paris")!).display(instant) == "31/01/2026 00:45")
    }

    @Test func machinesReadISO8601WithTheOffset() {
        #expect(SiteTime.vietnam.iso8601(instant) == "2026-01-31T06:45:12+07:00")
        #expect(SiteTime(timeZone: TimeZone(secondsFromGMT: -(3 * 3600 + 1800))!).iso8601(instant) == "2026-01-30T20:15:12-03:30")
    }

    @Test func spreadsheetSerialIsLocalDays() {
        // 31/01/2026 06:45:12 local = day 46053, and 06:45:12 of it.
        let serial = SiteTime.vietnam.spreadsheetSerial(instant)
        #expect(Int(serial) == 46_053)
        #expect(abs((serial - 46_053) * 86_400 - (6 * 3600 + 45 * 60 + 12)) < 0.01)
    }

    @Test func zoneResolvesAndUnknownZonesAreNamed() throws {
        #expect(try SiteTime.resolve(nil, environment: [:]) == .vietnam)
        #expect(try SiteTime.resolve(nil, environment: ["ROLLCALL_TIME_ZONE": "UTC"]).timeZone.secondsFromGMT() == 0)
        #expect(throws: TextsError.self) { try SiteTime.resolve("Mars/Olympus", environment: [:]) }
    }
}
