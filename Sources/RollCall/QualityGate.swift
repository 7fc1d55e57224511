import Foundation

/// Quality gates an enrollment photo must pass, as pure functions on the engine's `FaceObservation`s.
///
/// Defaults and why:
/// - **Size**: the box's shorter side ≥ 80 px. SFace embeds a 112 × 112 aligned crop; below ~80 px the crop is mostly
///   upsampling and identity detail is gone. (Box rather than eye-to-mouth distance because every detector gives a
///   box; on YuNet a 80 px box has ~30 px between the eyes.)
/// - **Detector score** ≥ 0.8: below it YuNet's boxes and landmarks are unreliable.
/// - **Sharpness** (variance of the Laplacian on the face crop scaled to 112 px wide) ≥ 15. Measured: an ID-quality
///   photo (the face_recognition test portrait) shrunk 8× and enlarged again scores 34, shrunk 12× scores 14; LFW's
///   soft news photos score 18–40, and SFace still reaches 99.4 % on them — so 15 refuses real blur, not softness.
/// - **Yaw**: |nose x − eye-midpoint x| / eye distance ≤ 0.25. The nose sits on the eye midpoint when frontal; the
///   ratio grows roughly like sin(yaw) × 0.9, so 0.25 ≈ 15–20° of yaw.
/// - **Roll**: the eye line within ±20° of horizontal (alignment corrects roll, but large roll hints at a bad detection).
/// - **Pitch**: (nose y − eye line y) / (mouth line y − eye line y) within 0.25...0.85 (≈ 0.55 frontal).
public struct QualityGate: Sendable, Equatable, Codable {
    /// Minimum length of the face box's shorter side, pixels.
    public var minimumFaceSize: Double = 80
    /// Minimum detector score.
    public var minimumDetectorScore: Double = 0.8
    /// Minimum variance of the Laplacian.
    public var minimumSharpness: Double = 15
    /// Maximum |yaw ratio| (nose offset from the eyes' midpoint / eye distance).
    public var maximumYawRatio: Double = 0.25
    /// Maximum |roll|, degrees.
    public var maximumRollDegrees: Double = 20
    /// Allowed range of the pitch ratio.
    public var pitchRatioRange: ClosedRange<Double> = 0.25...0.85

    public init() {}

    /// Pose estimates from the landmarks.
    public struct Pose: Sendable, Equatable {
        /// Nose offset from the eyes' midpoint, in eye distances (signed, + is towards the image-right eye).
        public var yawRatio: Double
        /// Angle of the eye line, degrees (signed).
        public var rollDegrees: Double
        /// Nose height between the eye line (0) and the mouth line (1).
        public var pitchRatio: Double
    }

    /// Estimates yaw, roll and pitch ratios from the five landmarks.
    public static func pose(of face: FaceObservation) -> Pose {
        let dx = face.rightEye.x - face.leftEye.x, dy = face.rightEye.y - face.leftEye.y
        let eyeDistance = max((dx * dx + dy * dy).squareRoot(), 1e-6)
        let mid = Point(x: (face.leftEye.x + face.rightEye.x) / 2, y: (face.leftEye.y + face.rightEye.y) / 2)
        let mouth = Point(x: (face.leftMouth.x + face.rightMouth.x) / 2, y: (face.leftMouth.y + face.rightMouth.y) / 2)
        // Project the nose onto the eye axis (so roll does not read as yaw) and onto its normal.
        let ux = dx / eyeDistance, uy = dy / eyeDistance
        let nx = face.nose.x - mid.x, ny = face.nose.y - mid.y
        let along = nx * ux + ny * uy
        let across = -nx * uy + ny * ux
        let mouthAcross = -(mouth.x - mid.x) * uy + (mouth.y - mid.y) * ux
        return Pose(
            yawRatio: along / eyeDistance,
            rollDegrees: atan2(dy, dx) * 180 / .pi,
            pitchRatio: mouthAcross > 1e-6 ? across / mouthAcross : .nan)
    }

    /// Picks the face to enroll from everything detected in `photo`.
    ///
    /// - Parameters:
    ///   - faces: Detections in the photo.
    ///   - photo: The photo's name, used in the reason.
    ///   - largest: Take the biggest face when there are several, instead of refusing the photo.
    /// - Returns: The face, or the reason the photo is refused.
    public func selectFace(from faces: [FaceObservation], photo: String, largest: Bool) -> Result<FaceObservation, QualityFailure> {
        guard let biggest = faces.max(by: { $0.box.area < $1.box.area }) else {
            return .failure(QualityFailure(photo: photo, check: .noFace, reason: "no face found"))
        }
        if faces.count > 1 && !largest {
            return .failure(QualityFailure(
                photo: photo, check: .severalFaces, reason: "\(faces.count) faces found (use --largest to take the biggest)"))
        }
        return .success(biggest)
    }

    /// Every gate `face` fails, empty when it passes.
    public func failures(of face: FaceObservation, photo: String) -> [QualityFailure] {
        var failures: [QualityFailure] = []
        let size = min(face.box.width, face.box.height)
        if size < minimumFaceSize {
            failures.append(.init(photo: photo, check: .tooSmall, reason: "face is \(Int(size)) px, need at least \(Int(minimumFaceSize)) px"))
        }
        if face.detectorScore < minimumDetectorScore {
            failures.append(.init(photo: photo, check: .lowConfidence,
                reason: "detector score \(format(face.detectorScore, beside: minimumDetectorScore)) is below \(format(minimumDetectorScore))"))
        }
        if face.sharpness < minimumSharpness {
            failures.append(.init(photo: photo, check: .blurry,
                reason: "face is blurred (sharpness \(format(face.sharpness, beside: minimumSharpness)), need \(format(minimumSharpness)))"))
        }
        let pose = Self.pose(of: face)
        if abs(pose.yawRatio) > maximumYawRatio {
            failures.append(.init(photo: photo, check: .notFrontal,
                reason: "face is turned sideways (yaw ratio \(format(pose.yawRatio, beside: pose.yawRatio < 0 ? -maximumYawRatio : maximumYawRatio)), limit ±\(format(maximumYawRatio)))"))
        }
        if abs(pose.rollDegrees) > maximumRollDegrees {
            failures.append(.init(photo: photo, check: .notFrontal,
                reason: "head is tilted \(Int(pose.rollDegrees.rounded()))°, limit ±\(Int(maximumRollDegrees))°"))
        }
        if !pitchRatioRange.contains(pose.pitchRatio) {
            failures.append(.init(photo: photo, check: .notFrontal,
                reason: "face is tilted up or down (pitch ratio \(format(pose.pitchRatio, beside: pose.pitchRatio < pitchRatioRange.lowerBound ? pitchRatioRange.lowerBound : pitchRatioRange.upperBound)), need \(format(pitchRatioRange.lowerBound))...\(format(pitchRatioRange.upperBound)))"))
        }
        return failures
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `value` with as many decimals (2 to 6) as it takes not to print as `limit` does: a refusal that reads "yaw ratio
    /// 0.25, limit ±0.25" for 0.2512 says nothing; "0.251" does.
    func format(_ value: Double, beside limit: Double) -> String {
        for digits in 2...6 {
            let text = String(format: "%.\(digits)f", value)
            if text != String(format: "%.\(digits)f", limit) { return text }
        }
        return String(format: "%.6f", value)
    }
}

/// Why a photo or face was refused.
public struct QualityFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which gate refused it.
    public enum Check: String, Sendable, Codable { case noFace, severalFaces, tooSmall, lowConfidence, blurry, notFrontal }
    /// The photo's name.
    public var photo: String
    /// The gate.
    public var check: Check
    /// Human-readable reason, without the photo name.
    public var reason: String
    /// "`photo`: `reason`".
    public var description: String { "\(photo): \(reason)" }
}
