import Documents
import Foundation
import Hummingbird

/// Responses for people's pages and downloads, with the headers they need.
enum Page {
    /// Only this origin's scripts and connections; inline styles and scripts are the pages' own (no external file).
    static let contentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'"

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func download(_ data: Data, format: ReportFormat, name: String) -> Response {
        var headers = HTTPFields()
        switch format {
        case .html:
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = contentSecurityPolicy
        case .csv:
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(name).csv\""
        case .json:
            headers[.contentType] = "application/json; charset=utf-8"
        case .xlsx:
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            headers[.contentDisposition] = "attachment; filename=\"\(name).xlsx\""
        }
        headers[.cacheControl] = "no-store"
        // Excel reads a CSV as the legacy code page unless it starts with a byte-order mark.
        let body = format == .csv ? Data([0xEF, 0xBB, 0xBF]) + data : data
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
