import Testing
@testable import Imaging

struct ImageFormatTests {
    func sniff(_ b: [UInt8]) -> ImageFormat? { b.withUnsafeBytes { ImageFormat.sniff($0) } }

    @Test func signaturesIdentifyFormatsRegardlessOfContentType() {
        #expect(sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(sniff(Array("GIF87a".utf8)) == .gif)
        #expect(sniff(Array("RIFF\0\0\0\0WEBP".utf8)) == .webp)
        #expect(sniff([0, 0, 0, 0x18] + Array("ftypheic".utf8)) == .heif)
        #expect(sniff([0, 0, 0, 0x18] + Array("ftypavif".utf8)) == .avif)
        #expect(sniff(Array("<html>".utf8)) == nil)
        #expect(sniff([0xFF, 0xD8]) == nil)
    }

    @Test func heifBMPAndTIFFAreTheOnlyRecognisedFormatsNotDecoded() {
        #expect(Set(ImageFormat.allCases.filter { !$0.isDecodable }) == [.heif, .bmp, .tiff])
        #expect(ImageFormat.acceptHeader.hasPrefix("image/jpeg,image/png,image/webp,image/avif,image/gif,"))
        #expect(ImageFormat.jpeg.fileExtension == "jpg")
    }
}
