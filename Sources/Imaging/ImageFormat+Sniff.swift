@_exported import CatalogModel

extension ImageFormat {
    /// Identifies a format by signature, independent of any Content-Type header
    /// (servers lie: HTML error pages are routinely served as image/jpeg).
    public static func sniff(_ b: UnsafeRawBufferPointer) -> ImageFormat? {
        func has(_ sig: [UInt8], at off: Int = 0) -> Bool {
            guard b.count >= off + sig.count else { return false }
            for (i, v) in sig.enumerated() where b[off + i] != v { return false }
            return true
        }
        if has([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if has(Array("GIF87a".utf8)) || has(Array("GIF89a".utf8)) { return .gif }
        if has(Array("RIFF".utf8)) && has(Array("WEBP".utf8), at: 8) { return .webp }
        if has(Array("BM".utf8)) && b.count > 26 { return .bmp }
        if has([0x49, 0x49, 0x2A, 0x00]) || has([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if has(Array("ftyp".utf8), at: 4) {
            if has(Array("avif".utf8), at: 8) || has(Array("avis".utf8), at: 8) { return .avif }
            for brand in ["heic", "heix", "hevc", "mif1", "msf1"] where has(Array(brand.utf8), at: 8) { return .heif }
        }
        return nil
    }
}
