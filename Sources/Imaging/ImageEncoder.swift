import CTurboJPEG

public enum ImageEncoder {
    /// Baseline JPEG with libjpeg-turbo (4:2:0 for colour), quality 1…100.
    public static func jpeg(_ img: PixelImage, quality: Int) throws -> [UInt8] {
        guard let tj = tjInitCompress() else { throw ImageProbeError.corrupt(.jpeg, "turbojpeg init failed") }
        defer { tjDestroy(tj) }
        var buf: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let gray = img.channels == 1
        let rc = img.pixels.withUnsafeBufferPointer { p in
            tjCompress2(tj, p.baseAddress, Int32(img.width), 0, Int32(img.height),
                        gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), &buf, &size,
                        gray ? Int32(TJSAMP_GRAY.rawValue) : Int32(TJSAMP_420.rawValue), Int32(quality), 0)
        }
        defer { if let buf { tjFree(buf) } }
        guard rc == 0, let buf else { throw ImageProbeError.corrupt(.jpeg, String(cString: tjGetErrorStr2(tj))) }
        return Array(UnsafeBufferPointer(start: buf, count: Int(size)))
    }
}
