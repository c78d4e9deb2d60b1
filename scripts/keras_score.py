#!/usr/bin/env python3
"""The Keras side of bench-score: fer's emotion_model.hdf5 over the listed crops, batch 64,
2 threads. Prints one JSON line: seconds for predict alone and with PIL decode + resize."""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np
import tensorflow as tf
from PIL import Image

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras

crops = [l for l in open(sys.argv[1]).read().splitlines() if l]
model = keras.models.load_model(sys.argv[2], compile=False)
t0 = time.time()
x = np.stack([np.asarray(Image.open(p).convert("L").resize((64, 64), Image.BILINEAR), dtype=np.float32) for p in crops])
x = ((x / 255.0 - 0.5) * 2.0)[..., None]
t1 = time.time()
model.predict(x[:64], batch_size=64, verbose=0)  # warm-up (graph tracing), not timed
t2 = time.time()
model.predict(x, batch_size=64, verbose=0)
t3 = time.time()
print(json.dumps({"predict_s": t3 - t2, "total_s": (t1 - t0) + (t3 - t2), "keras": keras.__version__, "tf": tf.__version__}))
