// libFuzzer harness: `rollcall serve`'s configuration (ServerConfiguration.load: YAML decoding, path resolution,
// validation). Any input must give a configuration that validates, or a ServerError naming the problem.
import Foundation

private let path = NSTemporaryDirectory() + "rollcall-fuzz-\(getpid())/gates.yaml"
private let ready: Void = {
    try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func serveConfigFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ready
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { fatalError("cannot write \(path)") }
    do {
        let configuration = try ServerConfiguration.load(path: path)
        try configuration.validate()
    } catch is ServerError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
