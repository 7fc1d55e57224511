import CRollCallShim

extension Image {
    /// A copy of `background` with `picture` laid on it through `homography` (row-major 3 × 3, picture pixels →
    /// background pixels): a flat photo held before a camera, under perspective. Its pixels are multiplied by
    /// `brightness` and blurred by `blur` pixels (focus, motion).
    public static func warped(_ picture: Image, onto background: Image, homography: [Double], brightness: Float = 1,
                              blur: Float = 0) throws -> Image {
        precondition(homography.count == 9, "a homography has nine entries")
        var out: OpaquePointer?
        try homography.withUnsafeBufferPointer { h in
            try shimCall { rc_image_warp_onto(background.handle, picture.handle, h.baseAddress, brightness, blur, &out, $0) }
        }
        return Image(handle: out!)
    }
}
