import CRollCallShim

/// An error from the face engine: what went wrong, in one line that names the file or model.
public struct FaceEngineError: Error, CustomStringConvertible, Equatable {
    public enum Code: Sendable, Equatable {
        case invalidArgument, io, decode, tooLarge, model, openCV, endOfStream, noFace, pack, unknown
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Turns a shim status and its message into an error.
    init(status: rc_status, error: rc_error) {
        var err = error
        let message = withUnsafePointer(to: &err.message) {
            $0.withMemoryRebound(to: CChar.self, capacity: 512) { String(cString: $0) }
        }
        let code: Code
        switch status {
        case RC_INVALID_ARGUMENT: code = .invalidArgument
        case RC_IO: code = .io
        case RC_DECODE: code = .decode
        case RC_TOO_LARGE: code = .tooLarge
        case RC_MODEL: code = .model
        case RC_OPENCV: code = .openCV
        case RC_END_OF_STREAM: code = .endOfStream
        default: code = .unknown
        }
        self.init(code, message)
    }
}

/// Calls a shim function and throws its error when it fails.
@inline(__always)
func shimCall(_ body: (UnsafeMutablePointer<rc_error>) -> rc_status) throws {
    var error = rc_error()
    let status = body(&error)
    if status != RC_OK { throw FaceEngineError(status: status, error: error) }
}
