import CCodecs

/// EXIF orientation (tag 0x0112): how the stored pixels must be turned to be shown upright.
/// Values and transforms are Pillow's `ImageOps.exif_transpose`.
public enum Orientation: Int, Sendable, CaseIterable, Codable {
    case up = 1, mirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// Whether the shown image has width and height swapped.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// The orientation in an EXIF block (a TIFF header, then IFD0); `.up` when absent or invalid.
    public static func fromEXIF(_ b: UnsafeRawBufferPointer) -> Orientation {
        guard b.count >= 8 else { return .up }
        let little: Bool
        if b[0] == 0x49 && b[1] == 0x49 && b[2] == 0x2A && b[3] == 0 { little = true }
        else if b[0] == 0x4D && b[1] == 0x4D && b[2] == 0 && b[3] == 0x2A { little = false }
        else { return .up }
        func u16(_ i: Int) -> Int { little ? Int(b[i]) | Int(b[i + 1]) << 8 : Int(b[i]) << 8 | Int(b[i + 1]) }
        func u32(_ i: Int) -> Int { little ? u16(i) | u16(i + 2) << 16 : u16(i) << 16 | u16(i + 2) }
        let ifd = u32(4)
        guard ifd >= 8, ifd + 2 <= b.count else { return .up }
        let count = u16(ifd)
        for e in 0..<count {
            let at = ifd + 2 + 12 * e
            guard at + 12 <= b.count else { break }
            guard u16(at) == 0x0112 else { continue }
            let type = u16(at + 2)
            // SHORT as the standard says; LONG from some writers (Pillow reads either).
            let value = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : 0
            return Orientation(rawValue: value) ?? .up
        }
        return .up
    }

    /// The pixels as a person sees them.
    public func apply(_ img: PixelImage) -> PixelImage {
        if self == .up { return img }
        let sw = img.width, sh = img.height, c = img.channels
        let (w, h) = swapsAxes ? (sh, sw) : (sw, sh)
        // For each shown pixel (x, y), the stored pixel it comes from: sx = ax*x + bx*y + cx.
        let (ax, bx, cx, ay, by, cy): (Int, Int, Int, Int, Int, Int)
        switch self {
        case .up: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, 1, 0)
        case .mirrored: (ax, bx, cx, ay, by, cy) = (-1, 0, sw - 1, 0, 1, 0)
        case .down: (ax, bx, cx, ay, by, cy) = (-1, 0, sw - 1, 0, -1, sh - 1)
        case .downMirrored: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, -1, sh - 1)
        case .leftMirrored: (ax, bx, cx, ay, by, cy) = (0, 1, 0, 1, 0, 0)          // transpose
        case .right: (ax, bx, cx, ay, by, cy) = (0, 1, 0, -1, 0, sh - 1)           // 90° clockwise
        case .rightMirrored: (ax, bx, cx, ay, by, cy) = (0, -1, sw - 1, -1, 0, sh - 1)   // transverse
        case .left: (ax, bx, cx, ay, by, cy) = (0, -1, sw - 1, 1, 0, 0)            // 90° anticlockwise
        }
        // Steps in the stored buffer for one shown pixel to the right and one row down.
        let step = (ay * sw + ax) * c, rowStep = (by * sw + bx) * c, origin = (cy * sw + cx) * c
        // Uninitialised: every byte is written by the walk (zeroing first cost a full pass).
        let out = [UInt8](unsafeUninitializedCapacity: img.pixels.count) { dst, count in
            img.pixels.withUnsafeBufferPointer { src in
                curate_orient(src.baseAddress!, origin, step, rowStep, Int32(c), Int32(w), Int32(h), dst.baseAddress!)
            }
            count = img.pixels.count
        }
        return PixelImage(width: w, height: h, channels: c, pixels: out)
    }
}
