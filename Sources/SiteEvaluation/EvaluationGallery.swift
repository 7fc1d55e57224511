import Crypto
import Enrollment
import FaceEngine
import Foundation
import Logging
import RollCall
import RollCallStore

/// A gallery enrolled for real — roster, quality gates, identity guards, sealed templates — into a throw-away store
/// with a throw-away key, deleted with the value: what the evaluations enroll their delegates into.
public final class EvaluationGallery {
    public let store: RollCallStore
    /// What became of each photo, in the order given.
    public let outcomes: [Enroller.Outcome]
    private let directory: URL

    /// Puts every identity on a roster and enrolls each photo under it.
    ///
    /// - Parameters:
    ///   - photos: (identity, photo path) pairs; an identity may have several photos.
    ///   - options: the enrollment options (the CLI's defaults unless an evaluation measures the matcher alone).
    ///   - desk: enroll each identity from a desk capture (`DeskClip` of its first photo through `DeskCapture`)
    ///     instead of from its photos.
    public init(photos: [(identity: String, path: String)], engine: FaceEngine, options: Enroller.Options,
                desk: DeskCapture.Options? = nil, progress: (@Sendable (Int) -> Void)? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "rollcall.eval")
        logger.logLevel = .error
        do {
            store = try RollCallStore(path: directory.appendingPathComponent("eval.db").path,
                                      keySource: .key(SymmetricKey(size: .bits256)), logger: logger)
            var seen = Set<String>()
            let identities = photos.map(\.identity).filter { seen.insert($0).inserted }
            let entries = identities.enumerated().map { order, id in
                Roster.Entry(delegate: Delegate(id: id, name: id, rosterOrder: order), photos: [], line: order + 2)
            }
            _ = try store.importRoster(Roster(source: "gallery", entries: entries))
            let enroller = Enroller(engine: engine, store: store, logger: logger)
            if let desk {
                outcomes = try Self.deskCaptures(identities, photos: photos, engine: engine, desk: desk)
                    .flatMap { try enroller.enroll(photos: $0, options: options) }
            } else {
                outcomes = try enroller.enroll(photos.map { ($0.identity.nfc, $0.path) }, options: options, progress: progress)
            }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Each identity's desk capture from a clip of its first photo (an identity whose photo shows no face, or whose
    /// capture keeps no view, enrolls nothing).
    private static func deskCaptures(_ identities: [String], photos: [(identity: String, path: String)], engine: FaceEngine,
                                     desk: DeskCapture.Options) throws -> [[(delegateID: String, photo: Enroller.Photo)]] {
        let capture = DeskCapture(engine: engine, options: desk)
        return try identities.enumerated().map { n, id in
            guard let path = photos.first(where: { $0.identity == id })?.path,
                  let walker = EntranceRun.walkers(from: [(id, path)], engine: engine).walkers.first else { return [] }
            let clip = try DeskClip(walker: walker, seed: UInt64(n + 1))
            var index = 0
            let result = try capture.capture(fps: 25) {
                defer { index += 1 }
                return index < clip.frames ? try clip.frame(index) : nil
            }
            return result.views.map { (id.nfc, .frame($0.image, face: $0.face, name: "desk \(id) frame \($0.frameIndex)")) }
        }
    }
}
