@testable import Imaging
import Testing

struct BitmapFontTests {
    @Test func everyGlyphIsFiveBySeven() {
        for (c, rows) in BitmapFont.art {
            #expect(rows.count == BitmapFont.glyphHeight, "\(c)")
            #expect(rows.allSatisfy { $0.count == BitmapFont.glyphWidth && $0.allSatisfy { $0 == "#" || $0 == " " } }, "\(c)")
        }
        // Letters, digits and what probabilities and labels need.
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:%-_=/()?" { #expect(BitmapFont.glyphs[c] != nil, "\(c)") }
    }

    @Test func textInksExactlyItsGlyphsScaled() {
        var img = PixelImage(width: 40, height: 20, channels: 3, pixels: [UInt8](repeating: 0, count: 40 * 20 * 3))
        img.drawText(["1"], x: 2, y: 3, scale: 2, color: [255, 255, 255])
        let ink = BitmapFont.art["1"]!.joined().count { $0 == "#" }
        #expect(img.pixels.count { $0 == 255 } == ink * 4 * 3)
        // Lower case is drawn in capitals; an unknown character as '?'.
        #expect(BitmapFont.glyph("a") == BitmapFont.glyph("A") && BitmapFont.glyph("é") == BitmapFont.glyph("?"))
        let size = BitmapFont.size(["ab", "c"], scale: 3)
        #expect(size.width == (2 * 6 - 1) * 3 && size.height == (2 * 9 - 2) * 3)
    }

    @Test func rectanglesAreClippedToTheImage() {
        var img = PixelImage(width: 10, height: 10, channels: 1, pixels: [UInt8](repeating: 0, count: 100))
        img.strokeRect(x0: -5, y0: 2, x1: 20, y1: 8, thickness: 2, color: [255, 255, 255])
        // Top and bottom bands (2 rows each, full width) and nothing outside them: the side bands fall off the image.
        #expect(img.pixels.count { $0 == 255 } == 4 * 10)
    }
}
