/// Small JPEG previews (review cards, the HTML report).
public enum Thumbnail {
    /// Decodes JPEG or PNG bytes and returns a JPEG whose longest side is at most `longest`.
    public static func jpeg(_ bytes: [UInt8], longest: Int, quality: Int = 82) throws -> [UInt8] {
        let image = try ImageDecoder.decode(bytes)
        let scale = min(1, Double(longest) / Double(max(image.width, image.height)))
        let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
        let small = scale < 1 ? image.resized(width: w, height: h, filter: .bilinear) : image
        return try ImageEncoder.jpeg(small, quality: quality)
    }
}
