import Foundation

/// Runs `body` for indices 0..<count on `workers` threads and returns the results in index order.
/// Each thread takes the next index as it finishes one (so slow images do not hold up the rest);
/// `progress` receives the number finished so far, from any thread.
public func parallelMap<T>(_ count: Int, workers: Int, progress: (@Sendable (Int) -> Void)? = nil,
                           _ body: @Sendable (Int) -> T) -> [T] {
    let state = ParallelMapState<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while let i = state.take() {
            // Store first: `progress?(…)` would skip evaluating its argument when there is no progress.
            let finished = state.store(body(i), at: i)
            progress?(finished)
        }
    }
    return state.results()
}

private final class ParallelMapState<T>: @unchecked Sendable {
    private var slots: [T?]
    private var next = 0, done = 0
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at i: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
        done += 1
        return done
    }

    func results() -> [T] { slots.map { $0! } }
}
