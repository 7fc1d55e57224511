import Foundation

// For the serve_config harness only: RollCallServer's resource bundle, which SwiftPM generates for the package and
// the harness (one module of copied sources) lacks. Only `ServerConfiguration.example` reads it, and the harness never
// asks for the example.
extension Bundle {
    static var module: Bundle { .main }
}
