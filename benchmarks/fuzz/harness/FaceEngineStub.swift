// For the serve_config harness only: the one FaceEngine name the configuration reads, so the harness need not link
// OpenCV. Must match FaceEngine.VideoSource.rotations (the harness build checks it with grep).
enum VideoSource {
    static let rotations: Set<Int> = [0, 90, 180, 270]
}
