// libFuzzer harness: the roster CSV import (Roster.parse over raw bytes). Any input must give a roster or a
// RosterError, never a crash, a hang or an unbounded allocation. Photo paths are never touched (isReadable answers
// from the name), so the harness reads no file.
@_cdecl("LLVMFuzzerTestOneInput")
public func rosterFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let roster = try Roster.parse(bytes, source: "fuzz.csv", baseDirectory: "/fuzz", isReadable: { !$0.hasSuffix("missing.jpg") })
        // What a parsed roster promises: at least one entry, ids unique and non-empty, names non-empty.
        precondition(!roster.entries.isEmpty)
        precondition(Set(roster.entries.map(\.delegate.id)).count == roster.entries.count)
        precondition(roster.entries.allSatisfy { !$0.delegate.id.isEmpty && !$0.delegate.name.isEmpty && $0.line >= 1 })
    } catch is RosterError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
