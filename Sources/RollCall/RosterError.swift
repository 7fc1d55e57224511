/// Why a roster file was rejected. Nothing from a rejected file is applied.
public struct RosterError: Error, CustomStringConvertible, Sendable {
    /// One bad row: its line and what is wrong.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// 1-based physical line where the row starts.
        public var line: Int
        /// What is wrong, naming the delegate id when there is one.
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private enum Code: Sendable { case unreadableFile, empty, badHeader, badRows }
    private let code: Code
    /// The file concerned.
    public let file: String
    /// Every bad row, in file order (empty unless the rows were at fault).
    public let issues: [Issue]
    public let description: String

    public static func unreadableFile(_ file: String) -> Self {
        Self(code: .unreadableFile, file: file, issues: [], description: "roster \(file): cannot read the file")
    }
    public static func empty(_ file: String) -> Self {
        Self(code: .empty, file: file, issues: [], description: "roster \(file): no delegates (need a header row with id,name and at least one row)")
    }
    public static func badHeader(_ file: String, line: Int, reason: String) -> Self {
        Self(code: .badHeader, file: file, issues: [Issue(line: line, reason: reason)], description: "roster \(file): line \(line): header: \(reason)")
    }
    public static func badRows(_ file: String, issues: [Issue]) -> Self {
        let lines = issues.map { "roster \(file): \($0)" }
        let summary = "roster \(file) rejected: \(issues.count) bad row\(issues.count == 1 ? "" : "s"), nothing imported"
        return Self(code: .badRows, file: file, issues: issues, description: (lines + [summary]).joined(separator: "\n"))
    }
}
