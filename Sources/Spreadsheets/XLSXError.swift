/// Why an `.xlsx` file could not be read or written.
public struct XLSXError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
