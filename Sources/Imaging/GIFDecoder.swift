import CGIF

/// The first frame of a GIF through giflib, placed on its canvas as Pillow does: the canvas
/// is the logical screen grown to hold the frame, filled with the transparent index (or 0)
/// outside the frame, and every index is looked up in the frame's palette (local, else
/// global, else gray) — Pillow's `convert("RGB")` ignores transparency.
enum GIFDecoder {
    static func canvasSize(_ b: UnsafeRawBufferPointer, walk: ContainerWalk) throws -> (Int, Int) {
        guard b.count >= 13 else { throw ImageProbeError.truncated(.gif) }
        var w = ContainerWalk.le16(b, 6), h = ContainerWalk.le16(b, 8)
        if let f = walk.gifFirstFrame { w = max(w, f.x + f.width); h = max(h, f.y + f.height) }
        return (w, h)
    }

    private final class Reader {
        let base: UnsafeRawBufferPointer
        var pos = 0
        init(_ b: UnsafeRawBufferPointer) { base = b }
    }

    /// `canvas` is the probe's `canvasSize`, already checked against the pixel limit.
    static func decode(_ b: UnsafeRawBufferPointer, canvas: (Int, Int)) throws -> PixelImage {
        let (cw, ch) = canvas
        let reader = Reader(b)
        var error: Int32 = 0
        let gif: UnsafeMutablePointer<GifFileType>? = withExtendedLifetime(reader) {
            DGifOpen(Unmanaged.passUnretained(reader).toOpaque(), { file, out, n in
                let r = Unmanaged<Reader>.fromOpaque(file!.pointee.UserData).takeUnretainedValue()
                let count = max(0, min(Int(n), r.base.count - r.pos))
                if count > 0 { out!.update(from: r.base.baseAddress!.advanced(by: r.pos).assumingMemoryBound(to: UInt8.self), count: count) }
                r.pos += count
                return Int32(count)
            }, &error)
        }
        guard let gif else { throw ImageProbeError.corrupt(.gif, String(cString: GifErrorString(error))) }
        defer { var e: Int32 = 0; DGifCloseFile(gif, &e) }
        func fail() -> ImageProbeError {
            let code = gif.pointee.Error
            if code == D_GIF_ERR_READ_FAILED { return .truncated(.gif) }
            return .corrupt(.gif, GifErrorString(code).map { String(cString: $0) } ?? "error \(code)")
        }
        var transparent: Int?
        return try withExtendedLifetime(reader) {
            while true {
                var type = UNDEFINED_RECORD_TYPE
                guard DGifGetRecordType(gif, &type) == GIF_OK else { throw fail() }
                switch type {
                case EXTENSION_RECORD_TYPE:
                    var code: Int32 = 0
                    var ext: UnsafeMutablePointer<GifByteType>?
                    guard DGifGetExtension(gif, &code, &ext) == GIF_OK else { throw fail() }
                    // Graphics control: the last one before the frame says which index is transparent.
                    if code == GRAPHICS_EXT_FUNC_CODE, let e = ext, e[0] >= 4 {
                        transparent = e[1] & 1 != 0 ? Int(e[4]) : nil
                    }
                    while ext != nil { guard DGifGetExtensionNext(gif, &ext) == GIF_OK else { throw fail() } }
                case IMAGE_DESC_RECORD_TYPE:
                    guard DGifGetImageDesc(gif) == GIF_OK else { throw fail() }
                    return try frame(gif, canvas: (cw, ch), transparent: transparent, fail: fail)
                case TERMINATE_RECORD_TYPE:
                    throw ImageProbeError.corrupt(.gif, "no frame")
                default:
                    throw ImageProbeError.corrupt(.gif, "unknown block")
                }
            }
        }
    }

    private static func frame(_ gif: UnsafeMutablePointer<GifFileType>, canvas: (Int, Int), transparent: Int?,
                              fail: () -> ImageProbeError) throws -> PixelImage {
        let d = gif.pointee.Image
        let fx = Int(d.Left), fy = Int(d.Top), fw = Int(d.Width), fh = Int(d.Height)
        let (cw, ch) = canvas
        guard fx + fw <= cw, fy + fh <= ch else { throw ImageProbeError.corrupt(.gif, "frame outside its canvas") }
        var indices = [UInt8](repeating: UInt8(truncatingIfNeeded: transparent ?? 0), count: cw * ch)
        var line = [GifPixelType](repeating: 0, count: max(fw, 1))
        // Interlaced frames arrive in four passes of rows.
        var order: [Int] = []
        if d.Interlace {
            for (start, step) in [(0, 8), (4, 8), (2, 4), (1, 2)] { order += Array(stride(from: start, to: fh, by: step)) }
        } else {
            order = Array(0..<fh)
        }
        for y in order {
            if fw > 0 { guard DGifGetLine(gif, &line, Int32(fw)) == GIF_OK else { throw fail() } }
            let row = (fy + y) * cw + fx
            for x in 0..<fw { indices[row + x] = line[x] }
        }
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        if let map = d.ColorMap ?? gif.pointee.SColorMap {
            for i in 0..<min(256, Int(map.pointee.ColorCount)) {
                let c = map.pointee.Colors[i]
                palette[3 * i] = c.Red; palette[3 * i + 1] = c.Green; palette[3 * i + 2] = c.Blue
            }
        } else {
            // No palette at all: Pillow opens the frame as "L", indexes as gray levels.
            for i in 0..<256 { palette[3 * i] = UInt8(i); palette[3 * i + 1] = UInt8(i); palette[3 * i + 2] = UInt8(i) }
        }
        var rgb = [UInt8](repeating: 0, count: cw * ch * 3)
        for i in 0..<(cw * ch) {
            let p = Int(indices[i]) * 3
            rgb[3 * i] = palette[p]; rgb[3 * i + 1] = palette[p + 1]; rgb[3 * i + 2] = palette[p + 2]
        }
        return PixelImage(width: cw, height: ch, channels: 3, pixels: rgb)
    }
}
