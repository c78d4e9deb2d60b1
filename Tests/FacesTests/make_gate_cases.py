"""Hand-made quality-gate cases from one sharp, evenly lit fixture portrait (Pillow, at test time):
each degrades one thing far past the pipeline's default threshold. Writes DIR/<case>.png.
usage: make_gate_cases.py PHOTO DIR"""
import sys
from pathlib import Path
from PIL import Image, ImageEnhance, ImageFilter

photo, out = Image.open(sys.argv[1]).convert("RGB"), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
w, h = photo.size
photo.save(out / "kept.png")
# The face shrunk to about 22 px across, on a canvas large enough for the detector's pyramid.
small = photo.resize((w // 10, h // 10), Image.Resampling.LANCZOS)
canvas = Image.new("RGB", (200, 200), (128, 128, 128)); canvas.paste(small, (60, 60))
canvas.save(out / "too_small.png")
photo.filter(ImageFilter.GaussianBlur(w / 60)).save(out / "blurry.png")
ImageEnhance.Brightness(photo).enhance(0.12).save(out / "too_dark.png")
ImageEnhance.Brightness(photo).enhance(2.6).save(out / "too_bright.png")
# Cut through the face (for this photo, at x 538-763) at 72% of its width: MTCNN still finds it,
# with its landmarks guessed past the edge.
photo.crop((0, 0, 700, h)).save(out / "out_of_frame.png")
