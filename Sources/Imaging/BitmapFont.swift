/// A 5×7 pixel font (upper-case letters, digits and a little punctuation) for annotating
/// photos without a font library. Lower-case text is drawn in capitals; other characters as '?'.
public enum BitmapFont {
    public static let glyphWidth = 5, glyphHeight = 7
    /// Advance per character and per line, in font pixels.
    public static let advance = 6, lineHeight = 9

    /// Each glyph: 7 rows of 5 columns, '#' is ink.
    static let art: [Character: [String]] = [
        "A": [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        "B": ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        "C": [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
        "D": ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
        "E": ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
        "F": ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
        "G": [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
        "H": ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        "I": [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "J": ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
        "K": ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
        "L": ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
        "M": ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
        "N": ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
        "O": [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        "P": ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        "Q": [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
        "R": ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
        "S": [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
        "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        "U": ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        "V": ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
        "W": ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
        "X": ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
        "Y": ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
        "Z": ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
        "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        "3": ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        "6": ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        "9": [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        " ": ["     ", "     ", "     ", "     ", "     ", "     ", "     "],
        ".": ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        ",": ["     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "],
        ":": ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        "%": ["##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"],
        "-": ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        "_": ["     ", "     ", "     ", "     ", "     ", "     ", "#####"],
        "=": ["     ", "     ", "#####", "     ", "#####", "     ", "     "],
        "/": ["     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     "],
        "(": ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
        ")": [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
        "?": [" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "],
    ]

    /// Glyph rows as bit masks (bit 4 is the leftmost column).
    static let glyphs: [Character: [UInt8]] = art.mapValues { rows in
        rows.map { row in row.reduce(UInt8(0)) { $0 << 1 | ($1 == "#" ? 1 : 0) } }
    }

    static func glyph(_ c: Character) -> [UInt8] {
        glyphs[Character(c.uppercased())] ?? glyphs["?"]!
    }

    /// Width and height in image pixels of `lines` drawn at `scale`.
    public static func size(_ lines: [String], scale: Int) -> (width: Int, height: Int) {
        let longest = lines.map(\.count).max() ?? 0
        return (max(0, longest * advance - 1) * scale, max(0, lines.count * lineHeight - 2) * scale)
    }
}

extension PixelImage {
    /// Sets every pixel of the rectangle (clipped to the image) to `color`.
    public mutating func fill(x0: Int, y0: Int, x1: Int, y1: Int, color: [UInt8]) {
        let xa = max(0, x0), xb = min(width, x1), ya = max(0, y0), yb = min(height, y1)
        guard xa < xb, ya < yb else { return }
        var c = Array(color.prefix(channels))
        if channels == 1 {
            let r = Int(color[0]) * 299, g = Int(color[1]) * 587, b = Int(color[2]) * 114
            c = [UInt8((r + g + b) / 1000)]
        }
        pixels.withUnsafeMutableBufferPointer { p in
            for y in ya..<yb {
                var i = (y * width + xa) * channels
                for _ in xa..<xb { for k in 0..<channels { p[i + k] = c[k] }; i += channels }
            }
        }
    }

    /// A rectangle outline `thickness` pixels wide, inside the given edges.
    public mutating func strokeRect(x0: Int, y0: Int, x1: Int, y1: Int, thickness t: Int, color: [UInt8]) {
        fill(x0: x0, y0: y0, x1: x1, y1: y0 + t, color: color)
        fill(x0: x0, y0: y1 - t, x1: x1, y1: y1, color: color)
        fill(x0: x0, y0: y0, x1: x0 + t, y1: y1, color: color)
        fill(x0: x1 - t, y0: y0, x1: x1, y1: y1, color: color)
    }

    /// Text in the 5×7 font, each font pixel a `scale`×`scale` square, top-left at (x, y).
    public mutating func drawText(_ lines: [String], x: Int, y: Int, scale: Int, color: [UInt8]) {
        for (n, line) in lines.enumerated() {
            for (i, ch) in line.enumerated() {
                let gx = x + i * BitmapFont.advance * scale, gy = y + n * BitmapFont.lineHeight * scale
                for (r, bits) in BitmapFont.glyph(ch).enumerated() {
                    for col in 0..<BitmapFont.glyphWidth where bits & (1 << (4 - col)) != 0 {
                        fill(x0: gx + col * scale, y0: gy + r * scale, x1: gx + (col + 1) * scale, y1: gy + (r + 1) * scale, color: color)
                    }
                }
            }
        }
    }
}
