#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import Logging
import RollCallServer
import ServiceLifecycle

/// Runs the daemon's HTTP application on a real socket for one test, and talks to it with plain sockets (the SSE
/// stream never ends, so a client that waits for the whole response would not do).
enum LiveServer {
    /// Starts `app` with the given services, runs `body` with the bound port, then shuts everything down gracefully.
    static func run<T: Sendable>(
        http: ServerConfiguration.HTTP, api: RollCallAPI, services: [any Service] = [],
        _ body: @Sendable @escaping (Int) async throws -> T
    ) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try Daemon.buildApplication(http: http, api: api, logger: ServerFixtures.quietLogger) { address in
            portContinuation.yield(Int(address.split(separator: ":").last ?? "") ?? 0)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .ignore) } + [.init(service: app)],
            logger: ServerFixtures.quietLogger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw HTTPError(.internalServerError, message: "server did not start") }
            let result: T
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return result
        }
    }

    /// Sends one GET to 127.0.0.1:`port` and returns what came back (head and body) once the server closes the
    /// connection, `until` holds for the text so far, or `timeout` seconds pass.
    static func get(port: Int, path: String, headers: [String: String] = [:], timeout: Double = 10,
                    until: (@Sendable (String) -> Bool)? = nil) async throws -> String {
        try await onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            defer { close(fd) }
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            let head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
            _ = head.withCString { send(fd, $0, strlen($0), 0) }
            var received = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 16384)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { break }
                if n > 0 {
                    received += buffer[0..<n]
                    if let until, until(String(decoding: received, as: UTF8.self)) { break }
                }
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    /// The body of a raw response (after the blank line that ends the head).
    static func body(_ response: String) -> String {
        response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
    }

    /// The status code on the first line of a raw response.
    static func status(_ response: String) -> Int {
        Int(response.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
    }

    /// Runs blocking work on its own thread, off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
