"""Minimal safetensors writer (and reader, for checks) shared by the model converters.

Layout (https://huggingface.co/docs/safetensors): 8-byte little-endian header length N,
then N bytes of JSON header padded with spaces so the data starts at a multiple of 8,
then the raw little-endian tensor bytes. The header maps each tensor name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data start) and
may hold "__metadata__", a map of string to string.

Output is deterministic: keys sorted, tensors laid out in sorted-name order, compact JSON.
Only numpy is needed.
"""

import hashlib
import json
import os
import struct

import numpy as np

# numpy dtype (little-endian) -> safetensors dtype name
_DTYPES = {
    np.dtype("<f8"): "F64",
    np.dtype("<f4"): "F32",
    np.dtype("<f2"): "F16",
    np.dtype("<i8"): "I64",
    np.dtype("<i4"): "I32",
    np.dtype("<i2"): "I16",
    np.dtype("i1"): "I8",
    np.dtype("u1"): "U8",
    np.dtype("bool"): "BOOL",
}
_NAMES = {v: k for k, v in _DTYPES.items()}



def sha256_file(path):
    """Hex sha256 of a file, read in 1 MiB chunks (converters record their source's)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def write_safetensors(path, tensors, metadata=None):
    """Write {name: numpy array} to `path` (atomically, via a .tmp file).

    `metadata` values must be strings. Arrays are converted to little-endian and
    C-contiguous; their dtype must be one of the types above.
    """
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("tensor name __metadata__ is reserved")
        arr = np.asarray(tensors[name])
        le = arr.dtype.newbyteorder("<")
        if le not in _DTYPES:
            raise TypeError(f"{name}: unsupported dtype {arr.dtype}")
        data = np.ascontiguousarray(arr, dtype=le).tobytes()
        header[name] = {
            "dtype": _DTYPES[le],
            "shape": [int(d) for d in arr.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"metadata {k!r}: keys and values must be strings")
        header["__metadata__"] = dict(sorted(metadata.items()))
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    text += b" " * ((-(8 + len(text))) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)
    return header


def read_safetensors(path):
    """Return (tensors {name: numpy array}, metadata {str: str}) from a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    data = memoryview(blob)[8 + n :]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dt = _NAMES[info["dtype"]]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(info["shape"])
    return tensors, metadata
