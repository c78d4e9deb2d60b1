.PHONY: demo test bench-fetch
# Set up, then run the main job on the embedded sample.
demo:
	scripts/demo.sh
# Set up, then build and run every test.
test:
	scripts/test.sh
# Fetch throughput against img2dataset (needs network for PyPI once).
bench-fetch:
	scripts/bench-fetch.sh
