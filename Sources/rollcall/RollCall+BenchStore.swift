import ArgumentParser
import Foundation
import RollCall

extension RollCallCommand {
    /// Many gates writing into one store at once: confirmed-sighting latency and check-ins per second.
    struct BenchStore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-store",
            abstract: "Measure a store under many gates at once: confirmed-sighting write latency p50/p99, check-ins per second (not a test).",
            discussion: """
                Each simulated gate has its own connection (PostgreSQL) or its own handle on the file (SQLite, as
                separate processes would) and writes confirmed sightings of random delegates into the open session,
                as fast as it can: the first of each delegate checks them in, the rest are sightings. Imports a
                roster of --delegates synthetic delegates and opens a session if the database has none. Run it on a
                scratch database: benchmarks/store_gates.sh makes one of each kind.
                """,
            shouldDisplay: false
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Simulated gates writing at once.")
        var gates = 16

        @Option(help: "Delegates on the synthetic roster.")
        var delegates = 2000

        @Option(help: "Confirmed sightings each gate writes.")
        var sightingsPerGate = 500

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard gates > 0 else { throw ValidationError("--gates must be positive, got \(gates).") }
            guard delegates > 0 else { throw ValidationError("--delegates must be positive, got \(delegates).") }
            guard sightingsPerGate > 0 else { throw ValidationError("--sightings-per-gate must be positive, got \(sightingsPerGate).") }
        }

        struct Report: Encodable {
            var store: String
            var gates: Int
            var delegates: Int
            var confirmed_sightings: Int
            var check_ins: Int
            var seconds: Double
            var sightings_per_second: Double
            var check_ins_per_second: Double
            var write_p50_ms: Double
            var write_p99_ms: Double
            var chain_intact: Bool
        }

        func run() throws {
            let setup = try store.openStore()
            if try setup.delegates().count < delegates {
                _ = try setup.importRoster(RollCall.Roster(source: "bench", entries: (1...delegates).map { i in
                    RollCall.Roster.Entry(delegate: Delegate(id: String(format: "B-%05d", i), name: "Delegate \(i)", rosterOrder: i), photos: [], line: i + 1)
                }))
            }
            let session = try setup.currentSession()
                ?? setup.openSession(name: "bench \(Date())", quorum: try QuorumRule.parse("2/3"), at: Date(), actor: "bench")
            let handles = try (0..<gates).map { _ in try store.openStore() }
            let ids = try setup.delegates().map(\.id)
            let results = GateResults(gates: gates)
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            let clock = ContinuousClock()
            for gate in 0..<gates {
                done.enter()
                let handle = handles[gate], count = sightingsPerGate, sessionID = session.id
                Thread.detachNewThread {
                    defer { done.leave() }
                    var generator = SplitMix64(seed: UInt64(gate + 1))
                    var latencies: [Double] = []
                    var checkIns = 0
                    latencies.reserveCapacity(count)
                    start.wait()
                    do {
                        for _ in 0..<count {
                            let id = ids[Int(generator.next() % UInt64(ids.count))]
                            let began = clock.now
                            let outcome = try handle.recordConfirmedSighting(Sighting(
                                sessionID: sessionID, delegateID: id, gate: "gate-\(gate)", distance: 0.3, seenAt: Date()))
                            let elapsed = clock.now - began
                            latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                            if outcome.checkedIn { checkIns += 1 }
                        }
                        results.set(gate, latencies: latencies, checkIns: checkIns)
                    } catch {
                        results.fail(error)
                    }
                }
            }
            let began = clock.now
            for _ in 0..<gates { start.signal() }
            done.wait()
            let wall = clock.now - began
            if let error = results.error { throw error }
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            let latencies = results.latencies.sorted()
            func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.down)))] }
            let report = Report(
                store: setup.location, gates: gates, delegates: ids.count, confirmed_sightings: latencies.count,
                check_ins: results.checkIns, seconds: seconds, sightings_per_second: Double(latencies.count) / seconds,
                check_ins_per_second: Double(results.checkIns) / seconds, write_p50_ms: percentile(0.5), write_p99_ms: percentile(0.99),
                chain_intact: try setup.verifyAudit().isIntact)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(String(format: "%@: %d gates, %d confirmed sightings in %.2f s (%.0f/s), %d check-ins (%.0f/s), write p50 %.2f ms, p99 %.2f ms, chain %@",
                             report.store, gates, report.confirmed_sightings, seconds, report.sightings_per_second, report.check_ins,
                             report.check_ins_per_second, report.write_p50_ms, report.write_p99_ms, report.chain_intact ? "intact" : "BROKEN"))
            }
        }
    }
}

/// What each gate measured, gathered across threads.
private final class GateResults: @unchecked Sendable {
    private let lock = NSLock()
    private var perGate: [[Double]]
    private var checkInCount = 0
    private var firstError: (any Error)?

    init(gates: Int) { perGate = Array(repeating: [], count: gates) }

    func set(_ gate: Int, latencies: [Double], checkIns: Int) {
        lock.withLock { perGate[gate] = latencies; checkInCount += checkIns }
    }
    func fail(_ error: any Error) { lock.withLock { if firstError == nil { firstError = error } } }
    var latencies: [Double] { lock.withLock { perGate.flatMap { $0 } } }
    var checkIns: Int { lock.withLock { checkInCount } }
    var error: (any Error)? { lock.withLock { firstError } }
}
