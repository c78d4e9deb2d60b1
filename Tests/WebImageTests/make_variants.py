"""Makes the web-image test inputs with Pillow 13 at test time (never committed) and what
Pillow + imagehash see in each, the reference curate is checked against.

usage: make_variants.py OUT_DIR SOURCE_IMAGE...
Writes OUT_DIR/<stem>-<variant>.<ext>, OUT_DIR/<name>.rgb (Pillow's upright pixels:
exif_transpose then convert("RGB")), and OUT_DIR/manifest.json: per file its source, the
shown size, Pillow's mode, the orientation, imagehash's pHash of the upright image, and
whether the pixels should match exactly (lossless path) or only closely (another libwebp /
libavif build).
"""
import io, json, shutil, struct, subprocess, sys, zlib
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageOps

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
manifest = []

# The transform that turns an upright image into what a camera stores under orientation o
# (the inverse of what exif_transpose applies).
STORE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def exif_with(orientation):
    e = Image.Exif()
    e[0x0112] = orientation
    return e


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(width, height, color_type, depth, rows, extra=b""):
    """A PNG written by hand (Pillow cannot write 16-bit RGB or add gAMA)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    data = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra
            + png_chunk(b"IDAT", zlib.compress(data, 6)) + png_chunk(b"IEND", b""))


def record(path, source, exact, note=""):
    im = Image.open(path)
    mode = im.mode
    up = ImageOps.exif_transpose(im)
    rgb = up.convert("RGB")
    rgb_path = path.with_suffix(path.suffix + ".rgb")
    rgb_path.write_bytes(rgb.tobytes())
    manifest.append({"file": path.name, "source": source, "width": up.width, "height": up.height,
                     "mode": mode, "format": im.format, "orientation": im.getexif().get(0x0112, 1),
                     "phash": str(imagehash.phash(up)), "exact": exact, "pixels": rgb_path.name, "note": note})


for src in map(Path, sys.argv[2:]):
    stem = src.stem
    base = Image.open(src).convert("RGB")
    shutil.copy(src, out / f"{stem}-original{src.suffix}")
    record(out / f"{stem}-original{src.suffix}", src.name, True, "upright original")

    def save(name, image, exact, note="", **kw):
        p = out / f"{stem}-{name}"
        image.save(p, **kw)
        record(p, src.name, exact, note)
        return p

    save("lossy.webp", base, False, "lossy WebP", quality=90)
    save("lossless.webp", base, True, "lossless WebP", lossless=True)
    save("anim.webp", base, False, "animated WebP, first frame", save_all=True,
         append_images=[base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)], duration=100, quality=90)
    save("exif6.webp", base.transpose(STORE[6]), False, "WebP with EXIF orientation 6", quality=90, exif=exif_with(6))
    save("8bit.avif", base, False, "AVIF 8-bit 4:2:0", quality=90)
    if shutil.which("avifenc"):
        png = out / f"{stem}-avifsrc.png"; base.save(png)
        for depth in (10, 12):
            p = out / f"{stem}-{depth}bit.avif"
            subprocess.run(["avifenc", "--depth", str(depth), "--speed", "8", "--min", "10", "--max", "20", str(png), str(p)],
                           check=True, capture_output=True)
            record(p, src.name, False, f"AVIF {depth}-bit (avifenc)")
        png.unlink()
    save("palette.gif", base.quantize(256), True, "GIF, 256-colour palette")
    pal = base.quantize(64)
    save("transparent.gif", pal, True, "GIF with a transparent index", transparency=0)
    save("cmyk.jpg", base.convert("CMYK"), True, "CMYK JPEG (Adobe, inverted)", quality=92)
    save("progressive.jpg", base, True, "progressive JPEG", quality=92, progressive=True)
    save("gray.jpg", base.convert("L"), True, "gray JPEG", quality=92)
    save("palette.png", base.quantize(200), True, "palette PNG")
    save("palette-trns.png", base.quantize(200), True, "palette PNG with tRNS", transparency=5)
    rgba = base.copy(); rgba.putalpha(Image.linear_gradient("L").resize(base.size))
    save("rgba.png", rgba, True, "RGBA PNG (alpha dropped, not composited)")
    la = base.convert("L"); la.putalpha(128)
    save("la.png", la, True, "gray + alpha PNG")
    # 16-bit colour: Pillow keeps the high byte; write high and low bytes that differ.
    a = np.asarray(base).astype(np.uint16)
    wide = (a << 8) | ((a * 37) & 0xFF)
    rows = [wide[y].astype(">u2").tobytes() for y in range(base.height)]
    p = out / f"{stem}-rgb16.png"; p.write_bytes(raw_png(base.width, base.height, 2, 16, rows)); record(p, src.name, True, "16-bit RGB PNG")
    # 16-bit gray: Pillow opens "I;16" and clips to 255 on conversion (so keep values small
    # somewhere to see both sides of the rule).
    g = np.asarray(base.convert("L")).astype(np.uint16)
    g16 = np.where(g < 100, g, g * 200)
    rows = [g16[y].astype(">u2").tobytes() for y in range(base.height)]
    p = out / f"{stem}-gray16.png"; p.write_bytes(raw_png(base.width, base.height, 0, 16, rows)); record(p, src.name, True, "16-bit gray PNG (Pillow clips)")
    # 8-bit RGB with gAMA 1/2.2 written differently from sRGB: Pillow ignores gAMA.
    rows = [np.asarray(base)[y].tobytes() for y in range(base.height)]
    p = out / f"{stem}-gama.png"; p.write_bytes(raw_png(base.width, base.height, 2, 8, rows, png_chunk(b"gAMA", struct.pack(">I", 100000))))
    record(p, src.name, True, "8-bit PNG with gAMA (ignored)")
    for o in range(2, 9):
        save(f"exif{o}.jpg", base.transpose(STORE[o]), True, f"JPEG with EXIF orientation {o}", quality=92, exif=exif_with(o))
    save("exif6.png", base.transpose(STORE[6]), True, "PNG with eXIf orientation 6", exif=exif_with(6))
    # A complete JPEG followed by 100 KiB (a motion photo's video, appended metadata).
    jpg = io.BytesIO(); base.save(jpg, "JPEG", quality=92)
    p = out / f"{stem}-trailing.jpg"; p.write_bytes(jpg.getvalue() + bytes(range(256)) * 400)
    record(p, src.name, True, "JPEG with 100 KiB after its end marker")

(out / "manifest.json").write_text(json.dumps(manifest, indent=1))
print(f"{len(manifest)} files in {out}")
