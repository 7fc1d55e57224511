import Foundation

/// Quality gates an enrollment photo must pass, as pure functions on the engine's `FaceObservation`s: what refuses a
/// photo, and what enrolls it with a warning the secretariat can act on.
///
/// The limits on size and pose come from measurement (`rollcall eval enrollment`, BENCHMARKS.md "Enrollment photos"):
/// each gallery photo of LFW's development people and of the East-Asian faces shrunk to a given face size, and the
/// photos grouped by how far the face is turned, matched against the same probes at the pack's operating point.
/// The rule: a photo whose faces are missed more than twice as often as a frontal photo at full size is refused;
/// one missed more than 1.25 times as often enrolls with a warning.
/// - **Size** (the box's longer side, about the face's height): misses stay where they are down to ~56 px, then grow
///   (against full size: LFW 1.12× at 56 px, 1.35× at 48, 1.8× at 40, 3.0× at 32; East-Asian 1.16×, 1.25×, 1.56×,
///   1.87×). Warned below 56 px, refused below 36 px (LFW crosses 2× between 32 and 40).
/// - **Yaw** (|nose x − eye-midpoint x| / eye distance; ≈ sin(yaw) × 0.9), from the photos' own pose (a head cannot be
///   turned synthetically): East-Asian misses grow with it (1.3× at 0.1–0.2, 1.45× at 0.2–0.3, 1.66× at 0.3–0.4), LFW's
///   do not; nothing doubles up to 0.5, beyond which neither set has enough photos to say and the nose leaves the span
///   of the eyes (near profile). Warned above 0.2, refused above 0.5.
/// - **Detector score** ≥ 0.8 (below it YuNet's boxes and landmarks are unreliable) and **sharpness** (variance of
///   the Laplacian on the face scaled to 112 px wide) ≥ 15: an ID photo shrunk 12× and enlarged again scores 14,
///   LFW's soft news photos 18–40, on which SFace reaches 99.4 %, so 15 refuses real blur, not softness.
/// - **Roll** beyond ±20° and **pitch** outside 0.25…0.85 warn: alignment corrects roll, and both mostly hint at a
///   poor detection, which the other gates catch.
/// - **Several faces**: the main face (big and central) is enrolled when every other face is under half its size
///   (a bystander in the background), with a note; faces of similar size refuse the photo.
public struct QualityGate: Sendable, Equatable, Codable {
    /// Refused below this face size (the box's longer side), pixels.
    public var minimumFaceSize: Double = 36
    /// Enrolled with a warning below this face size, pixels.
    public var comfortableFaceSize: Double = 56
    /// Minimum detector score.
    public var minimumDetectorScore: Double = 0.8
    /// Minimum variance of the Laplacian.
    public var minimumSharpness: Double = 15
    /// Enrolled with a warning above this |yaw ratio|.
    public var comfortableYawRatio: Double = 0.2
    /// Refused above this |yaw ratio|: the nose is outside the span of the eyes.
    public var maximumYawRatio: Double = 0.5
    /// Warned beyond this |roll|, degrees.
    public var maximumRollDegrees: Double = 20
    /// Warned outside this range of the pitch ratio.
    public var pitchRatioRange: ClosedRange<Double> = 0.25...0.85
    /// Other faces whose size is under this fraction of the main face's are bystanders.
    public var bystanderSizeRatio: Double = 0.5

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

    /// A face's size as the gates measure it: the box's longer side.
    public static func size(of face: FaceObservation) -> Double { max(face.box.width, face.box.height) }

    /// The face chosen in a photo, and a note when others were set aside.
    public struct Selection: Sendable, Equatable {
        public var face: FaceObservation
        public var note: QualityFailure?
    }

    /// Picks the face to enroll from everything detected in `photo`.
    ///
    /// - Parameters:
    ///   - faces: Detections in the photo.
    ///   - photo: The photo's name, used in the reason.
    ///   - largest: Take the biggest face whatever the others, instead of refusing a photo of several people.
    /// - Returns: The face (with a note when bystanders were set aside), or the reason the photo is refused.
    public func selectFace(from faces: [FaceObservation], photo: String, largest: Bool) -> Result<Selection, QualityFailure> {
        guard let main = largest ? faces.max(by: { Self.size(of: $0) < Self.size(of: $1) }) : Self.mainSubject(of: faces) else {
            return .failure(QualityFailure(photo: photo, check: .noFace, reason: "no face found"))
        }
        let others = faces.filter { $0 != main }
        guard !others.isEmpty else { return .success(Selection(face: main)) }
        let mainSize = Self.size(of: main)
        let biggestOther = others.map(Self.size(of:)).max()!
        if largest || biggestOther < bystanderSizeRatio * mainSize {
            let what = others.count == 1 ? "the other is" : "the others are"
            return .success(Selection(face: main, note: QualityFailure(
                photo: photo, check: .severalFaces,
                reason: "\(faces.count) faces found: enrolled the main one (\(Int(mainSize)) px); \(what) "
                    + (largest ? "smaller (--largest)" : "under half its size, in the background"))))
        }
        return .failure(QualityFailure(
            photo: photo, check: .severalFaces,
            reason: "\(faces.count) faces found of similar size (\(Int(mainSize)) and \(Int(biggestOther)) px): use a photo of the "
                + "delegate alone, or --largest to take the biggest"))
    }

    /// The face a photo is "of": big and central (the rule InsightFace uses to pick the main face: area minus twice
    /// the squared distance from its centre to the photo's).
    static func mainSubject(of faces: [FaceObservation]) -> FaceObservation? {
        faces.max { value($0) < value($1) }
    }

    private static func value(_ f: FaceObservation) -> Double {
        let dx = f.box.x + f.box.width / 2 - Double(f.imageWidth) / 2, dy = f.box.y + f.box.height / 2 - Double(f.imageHeight) / 2
        return f.box.area - 2 * (dx * dx + dy * dy)
    }

    /// What the gates say of one face.
    public struct Assessment: Sendable, Equatable {
        /// Why the photo is refused; empty when it may be enrolled.
        public var refusals: [QualityFailure] = []
        /// What is weak about a photo that may be enrolled.
        public var warnings: [QualityFailure] = []
    }

    /// Every gate's verdict on `face`.
    public func assess(_ face: FaceObservation, photo: String) -> Assessment {
        var result = Assessment()
        func refuse(_ check: QualityFailure.Check, _ reason: String) { result.refusals.append(.init(photo: photo, check: check, reason: reason)) }
        func warn(_ check: QualityFailure.Check, _ reason: String) { result.warnings.append(.init(photo: photo, check: check, reason: reason)) }
        let size = Self.size(of: face)
        if size < minimumFaceSize {
            refuse(.tooSmall, "face is \(Int(size)) px, too small to recognise (at least \(Int(minimumFaceSize)) px, "
                + "\(Int(comfortableFaceSize)) px or more recognises best): use a larger photo")
        } else if size < comfortableFaceSize {
            warn(.tooSmall, "face \(Int(size)) px: enrolled, expect slower recognition; a larger photo helps "
                + "(\(Int(comfortableFaceSize)) px or more)")
        }
        if face.detectorScore < minimumDetectorScore {
            refuse(.lowConfidence, "detector score \(Self.format(face.detectorScore, beside: minimumDetectorScore)) is below "
                + "\(Self.format(minimumDetectorScore)): the face is not clear enough; use a better-lit, frontal photo")
        }
        if face.sharpness < minimumSharpness {
            refuse(.blurry, "face is blurred (sharpness \(Self.format(face.sharpness, beside: minimumSharpness)), need "
                + "\(Self.format(minimumSharpness))): use a sharper photo")
        }
        let pose = Self.pose(of: face)
        let yaw = abs(pose.yawRatio)
        if yaw > maximumYawRatio {
            refuse(.notFrontal, "face is turned sideways (yaw ratio \(Self.format(yaw, beside: maximumYawRatio)), "
                + "limit \(Self.format(maximumYawRatio))): use a frontal photo")
        } else if yaw > comfortableYawRatio {
            warn(.notFrontal, "face turned sideways (yaw ratio \(Self.format(yaw, beside: comfortableYawRatio))): enrolled, expect "
                + "slower recognition; a frontal photo helps")
        }
        if abs(pose.rollDegrees) > maximumRollDegrees {
            warn(.notFrontal, "head tilted \(Int(pose.rollDegrees.rounded()))°: enrolled; an upright photo helps")
        }
        if !pitchRatioRange.contains(pose.pitchRatio) {
            warn(.notFrontal, "face tilted up or down (pitch ratio \(Self.format(pose.pitchRatio))): enrolled; a photo "
                + "looking at the camera helps")
        }
        return result
    }

    /// `value` with as many decimals (2 to 6) as it takes not to print as `limit` does: a refusal that reads "yaw ratio
    /// 0.50, limit 0.50" for 0.503 says nothing; "0.503" does.
    static func format(_ value: Double, beside limit: Double? = nil) -> String {
        guard let limit else { return String(format: "%.2f", value) }
        for digits in 2...6 {
            let text = String(format: "%.\(digits)f", value)
            if text != String(format: "%.\(digits)f", limit) { return text }
        }
        return String(format: "%.6f", value)
    }
}

/// Why a photo or face was refused, or what is weak about one that was enrolled.
public struct QualityFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which gate spoke.
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
