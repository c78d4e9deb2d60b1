/// A walk over a file's container structure (JPEG segments, PNG chunks, GIF blocks, RIFF
/// chunks, ISO-BMFF boxes) from its first byte, without decoding pixels. It says whether the
/// image's data is all there — so bytes after a complete image (motion photos, appended
/// metadata, a second JPEG) are tolerated, while a file cut short is caught — and where the
/// EXIF block is.
struct ContainerWalk {
    /// The image's data ends inside the body.
    var complete: Bool
    /// The EXIF payload, starting at its TIFF header ("II*\0" / "MM\0*").
    var exif: Range<Int>?
    /// GIF only: the first frame's rectangle (Pillow grows the canvas to hold it).
    var gifFirstFrame: (x: Int, y: Int, width: Int, height: Int)?

    static func walk(_ b: UnsafeRawBufferPointer, format: ImageFormat) -> ContainerWalk {
        switch format {
        case .jpeg: return jpeg(b)
        case .png: return png(b)
        case .gif: return gif(b)
        case .webp: return riff(b)
        case .avif, .heif: return isobmff(b)
        default: return ContainerWalk(complete: true)
        }
    }

    init(complete: Bool, exif: Range<Int>? = nil, gifFirstFrame: (x: Int, y: Int, width: Int, height: Int)? = nil) {
        self.complete = complete; self.exif = exif; self.gifFirstFrame = gifFirstFrame
    }

    static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }
    static func le16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func le32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { le16(b, i) | le16(b, i + 2) << 16 }

    /// Strips the "Exif\0\0" prefix that JPEG always has and PNG/WebP writers sometimes add.
    static func exifPayload(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Range<Int> {
        let tag: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
        if r.count >= 6, (0..<6).allSatisfy({ b[r.lowerBound + $0] == tag[$0] }) { return (r.lowerBound + 6)..<r.upperBound }
        return r
    }

    /// Markers from SOI to EOI. Entropy-coded data is skipped to the next marker that is
    /// neither a stuffed 0xFF00 nor a restart marker; stray bytes between segments are
    /// skipped as libjpeg does.
    static func jpeg(_ b: UnsafeRawBufferPointer) -> ContainerWalk {
        var i = 2, exif: Range<Int>?
        let n = b.count
        while i < n {
            if b[i] != 0xFF { i += 1; continue }
            while i < n && b[i] == 0xFF { i += 1 }   // fill bytes
            guard i < n else { break }
            let m = b[i]; i += 1
            if m == 0xD9 { return ContainerWalk(complete: true, exif: exif) }
            if (0xD0...0xD7).contains(m) || m == 0x01 || m == 0x00 { continue }
            guard i + 2 <= n else { break }
            let len = be16(b, i)
            guard len >= 2, i + len <= n else { break }
            if m == 0xE1, exif == nil, len >= 8 {
                let r = exifPayload(b, (i + 2)..<(i + len))
                if r.lowerBound == i + 8 { exif = r }
            }
            i += len
            if m == 0xDA {
                // Scan data: ends at the next real marker.
                while i + 1 < n {
                    if b[i] == 0xFF, b[i + 1] != 0x00, !(0xD0...0xD7).contains(b[i + 1]), b[i + 1] != 0xFF { break }
                    i += 1
                }
            }
        }
        return ContainerWalk(complete: false, exif: exif)
    }

    /// Chunks from the signature to IEND.
    static func png(_ b: UnsafeRawBufferPointer) -> ContainerWalk {
        var i = 8, exif: Range<Int>?
        while i + 12 <= b.count {
            let len = be32(b, i)
            guard len <= 0x7FFF_FFFF, i + 12 + len <= b.count else { break }
            let type = be32(b, i + 4)
            if type == 0x4945_4E44 { return ContainerWalk(complete: true, exif: exif) }   // IEND
            if type == 0x6558_4966, exif == nil { exif = exifPayload(b, (i + 8)..<(i + 8 + len)) }   // eXIf
            i += 12 + len
        }
        return ContainerWalk(complete: false, exif: exif)
    }

    /// Header, colour table, then extension and image blocks up to the end of the first
    /// frame's data (later frames are not used, so a cut after it still gives a whole image).
    static func gif(_ b: UnsafeRawBufferPointer) -> ContainerWalk {
        let n = b.count
        guard n >= 13 else { return ContainerWalk(complete: false) }
        var i = 13
        if b[10] & 0x80 != 0 { i += 3 << (Int(b[10] & 7) + 1) }
        func skipSubBlocks() -> Bool {
            while i < n {
                let size = Int(b[i]); i += 1
                if size == 0 { return true }
                i += size
            }
            return false
        }
        while i < n {
            switch b[i] {
            case 0x21:
                i += 2
                guard i <= n, skipSubBlocks() else { return ContainerWalk(complete: false) }
            case 0x2C:
                guard i + 10 <= n else { return ContainerWalk(complete: false) }
                let frame = (x: le16(b, i + 1), y: le16(b, i + 3), width: le16(b, i + 5), height: le16(b, i + 7))
                let flags = b[i + 9]
                i += 10
                if flags & 0x80 != 0 { i += 3 << (Int(flags & 7) + 1) }
                i += 1   // LZW minimum code size
                guard i <= n, skipSubBlocks() else { return ContainerWalk(complete: false, gifFirstFrame: frame) }
                return ContainerWalk(complete: true, gifFirstFrame: frame)
            default:
                // The trailer (0x3B) or garbage before any frame: there is no image.
                return ContainerWalk(complete: false)
            }
        }
        return ContainerWalk(complete: false)
    }

    /// RIFF: the declared size must be there; chunks are walked for EXIF.
    static func riff(_ b: UnsafeRawBufferPointer) -> ContainerWalk {
        guard b.count >= 12 else { return ContainerWalk(complete: false) }
        let end = 8 + le32(b, 4)
        guard end <= b.count else { return ContainerWalk(complete: false) }
        var i = 12, exif: Range<Int>?
        while i + 8 <= end {
            let size = le32(b, i + 4)
            guard i + 8 + size <= end else { return ContainerWalk(complete: false, exif: exif) }
            if b[i] == 0x45, b[i + 1] == 0x58, b[i + 2] == 0x49, b[i + 3] == 0x46, exif == nil {   // "EXIF"
                exif = exifPayload(b, (i + 8)..<(i + 8 + size))
            }
            i += 8 + size + (size & 1)
        }
        return ContainerWalk(complete: true, exif: exif)
    }

    /// ISO-BMFF: every top-level box must fit (size 0 runs to the end; size 1 is 64-bit).
    static func isobmff(_ b: UnsafeRawBufferPointer) -> ContainerWalk {
        var i = 0
        while i < b.count {
            guard i + 8 <= b.count else { return ContainerWalk(complete: false) }
            var size = be32(b, i)
            if size == 0 { return ContainerWalk(complete: true) }
            if size == 1 {
                guard i + 16 <= b.count else { return ContainerWalk(complete: false) }
                let hi = be32(b, i + 8), lo = be32(b, i + 12)
                guard hi < 1 << 20 else { return ContainerWalk(complete: false) }
                size = hi << 32 | lo
            }
            guard size >= 8, i + size <= b.count else { return ContainerWalk(complete: false) }
            i += size
        }
        return ContainerWalk(complete: true)
    }
}
