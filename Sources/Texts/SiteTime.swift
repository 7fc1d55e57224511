import Foundation

/// The site's clock: how times are written for people and for machines, in the site's time zone.
///
/// - People read `dd/MM/yyyy HH:mm` (`31/01/2026 07:45`): on the dashboard, the greeting screen, the HTML and
///   `.xlsx` reports and the CLI's messages.
/// - Machines read ISO 8601 with seconds and an explicit numeric offset (`2026-01-31T07:45:12+07:00`, never `Z`):
///   JSON, SSE and the CSV, all in the one form.
///
/// The default zone is `Asia/Ho_Chi_Minh`; where the system has no time-zone database it is the fixed UTC+07:00 that
/// zone has kept since 1975.
public struct SiteTime: Sendable, Equatable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// The default site zone.
    public static let defaultIdentifier = "Asia/Ho_Chi_Minh"

    /// `Asia/Ho_Chi_Minh`.
    public static let vietnam = SiteTime(timeZone: TimeZone(identifier: defaultIdentifier) ?? TimeZone(secondsFromGMT: 7 * 3600)!)

    /// `explicit` (an option's or the configuration's value), else `ROLLCALL_TIME_ZONE`, else `Asia/Ho_Chi_Minh`.
    ///
    /// - Throws: `TextsError` naming a zone the system does not know.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SiteTime {
        let (value, origin) = explicit.map { ($0, "--time-zone") } ?? (environment["ROLLCALL_TIME_ZONE"].map { ($0, "ROLLCALL_TIME_ZONE") } ?? ("", ""))
        guard !value.isEmpty else { return .vietnam }
        if value == defaultIdentifier { return .vietnam }
        guard let zone = TimeZone(identifier: value) else {
            throw TextsError("\(origin): unknown time zone '\(value)' (an IANA name such as Asia/Ho_Chi_Minh or Europe/Paris)")
        }
        return SiteTime(timeZone: zone)
    }

    private func components(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    /// `2026-01-31T07:45:12+07:00`: seconds and the zone's offset at that instant.
    public func iso8601(_ date: Date) -> String {
        let c = components(date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = (abs(offset) % 3600) / 60
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d",
                      c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, sign, hours, minutes)
    }

    /// `31/01/2026 07:45`.
    public func display(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%02d/%02d/%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
    }

    /// `07:45`, for a time on the page's own day.
    public func clock(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// The date as a spreadsheet serial number in the site's zone (days since 1899-12-30, fraction for the time), so
    /// an `.xlsx` cell is a real date that sorts and filters, shown as the site's local time.
    public func spreadsheetSerial(_ date: Date) -> Double {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        return local / 86_400 + 25_569  // 25,569 days from 1899-12-30 to 1970-01-01
    }
}
