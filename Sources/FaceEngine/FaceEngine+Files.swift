extension FaceEngine {
    /// What became of one image file in a bulk run.
    public enum FileOutcome: Sendable {
        case face(Face, Embedding)
        case noFace
        case failed(FaceEngineError)

        public var embedding: Embedding? {
            if case .face(_, let e) = self { return e }
            return nil
        }
    }

    /// Embeds one face of each file (see `FaceChoice`), spreading the files over every worker.
    /// Results come back in input order; `progress` is called (from any thread) after each file.
    public func oneFacePerFile(_ paths: [String], choice: FaceChoice = .largest,
                               progress: (@Sendable (Int) -> Void)? = nil) -> [FileOutcome] {
        parallelMap(paths.count, workers: workerCount, progress: progress) { i in
            do {
                let found = try oneFace(inFile: paths[i], choice: choice)
                return .face(found.face, found.embedding)
            } catch let error as FaceEngineError where error.code == .noFace {
                return .noFace
            } catch let error as FaceEngineError {
                return .failed(error)
            } catch {
                return .failed(FaceEngineError(.unknown, "\(paths[i]): \(error)"))
            }
        }
    }
}
