#!/usr/bin/env python3
"""Convert a PyTorch state-dict file (.pt) to safetensors without importing torch.

Reads both serializations that torch.save has used:
  * legacy (torch < 1.6 default, `_use_new_zipfile_serialization=False`): a sequence of
    pickles -- magic number 0x1950a86a20f9469cfc6c, protocol version, sys_info, the object
    itself, then the list of storage keys -- followed, for each key in that order, by an int64
    little-endian element count and the raw storage bytes;
  * zip (torch >= 1.6): a zip holding <prefix>/data.pkl and one <prefix>/data/<key> entry per
    storage (raw bytes, no count).
Tensors in the pickle are rebuilt by torch._utils._rebuild_tensor_v2(storage, offset, size,
stride, requires_grad, backward_hooks); storages are persistent ids
('storage', torch.FloatStorage, key, location, numel[, view_metadata]). The unpickler below
allows only those few globals and builds numpy arrays with as_strided (offset/size/stride).

Usage: convert_torch_legacy.py SRC.pt OUT.safetensors [--expect-params N] [--meta k=v ...]
Tensor names are kept exactly as in the state dict; every tensor is written as stored (F32 for
FloatStorage). Buffers (running_mean/var, num_batches_tracked) are counted separately.
"""

import argparse
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_write import sha256_file, write_safetensors  # noqa: E402

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

# torch storage class name -> numpy dtype (little-endian; byte order fixed up from sys_info)
STORAGE_DTYPES = {
    "DoubleStorage": np.dtype("<f8"),
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("bool"),
}
BUFFER_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")


class StorageType:
    """Stand-in for torch.FloatStorage & co.: only its element dtype matters."""

    def __init__(self, name):
        self.name = name
        self.dtype = STORAGE_DTYPES[name]

    def __repr__(self):
        return f"torch.{self.name}"


class Storage:
    """Placeholder for a storage; `array` is filled in once the raw bytes have been read."""

    def __init__(self, stype, key, location, numel):
        self.stype, self.key, self.location, self.numel = stype, key, location, numel
        self.array = None


class StorageView:
    """Legacy storage view (view_metadata): `size` elements of `root` from `offset`."""

    def __init__(self, root, offset, size):
        self.root, self.offset, self.size = root, offset, size
        self.stype = root.stype


class LazyTensor:
    """Result of _rebuild_tensor_v2; materialised after the storages are loaded."""

    def __init__(self, storage, storage_offset, size, stride):
        self.storage, self.offset = storage, int(storage_offset)
        self.size, self.stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)

    def materialize(self):
        st = self.storage
        base, offset = st, self.offset
        if isinstance(st, StorageView):
            base, offset = st.root, st.offset + self.offset
        arr = base.array
        if any(s == 0 for s in self.size):
            return np.zeros(self.size, dtype=arr.dtype)
        last = offset + sum((n - 1) * s for n, s in zip(self.size, self.stride))
        if offset < 0 or last >= arr.size or any(s < 0 for s in self.stride):
            raise ValueError(f"tensor view out of bounds of storage {base.key}")
        view = np.lib.stride_tricks.as_strided(
            arr[offset:],
            shape=self.size,
            strides=tuple(s * arr.itemsize for s in self.stride),
            writeable=False,
        )
        return np.array(view, order="C", copy=True)  # (ascontiguousarray would turn 0-d into 1-d)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return data


ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
}


class TorchUnpickler(pickle.Unpickler):
    """Unpickler that knows only the globals a plain state dict needs."""

    def __init__(self, file, storage_loader):
        super().__init__(file)
        self.storages = collections.OrderedDict()  # key -> Storage, in first-seen order
        self.storage_loader = storage_loader

    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return ALLOWED[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        stype, key, location, numel = pid[1], str(pid[2]), pid[3], int(pid[4])
        view_metadata = pid[5] if len(pid) > 5 else None
        if not isinstance(stype, StorageType):
            raise pickle.UnpicklingError(f"unexpected storage type {stype!r}")
        st = self.storages.get(key)
        if st is None:
            st = Storage(stype, key, location, numel)
            self.storages[key] = st
            if self.storage_loader is not None:
                self.storage_loader(st)
        if view_metadata is not None:
            _view_key, offset, view_size = view_metadata
            return StorageView(st, int(offset), int(view_size))
        return st


def load_legacy(f):
    """Legacy (non-zip) torch.save stream -> (object, sys_info)."""
    magic = pickle.load(f)
    if magic != MAGIC_NUMBER:
        raise ValueError("not a legacy torch file (bad magic number)")
    protocol = pickle.load(f)
    if protocol != PROTOCOL_VERSION:
        raise ValueError(f"unsupported legacy protocol version {protocol}")
    sys_info = pickle.load(f)
    up = TorchUnpickler(f, storage_loader=None)
    obj = up.load()
    keys = pickle.load(f)
    little = sys_info.get("little_endian", True)
    for key in keys:
        st = up.storages[key]
        (count,) = struct.unpack("<q" if little else ">q", f.read(8))
        if count != st.numel:
            raise ValueError(f"storage {key}: {count} elements on disk, {st.numel} in the pickle")
        dtype = st.stype.dtype if little else st.stype.dtype.newbyteorder(">")
        nbytes = count * dtype.itemsize
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise ValueError(f"storage {key}: truncated ({len(raw)} of {nbytes} bytes)")
        st.array = np.frombuffer(raw, dtype=dtype).astype(st.stype.dtype)
    missing = [k for k, s in up.storages.items() if s.array is None]
    if missing:
        raise ValueError(f"storages never written: {missing}")
    rest = f.read()
    if rest:
        raise ValueError(f"{len(rest)} unexpected trailing bytes")
    return obj, sys_info


def load_zip(path):
    """torch.save zip format -> (object, sys_info)."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise ValueError(f"zip torch file: expected one data.pkl, found {pkl}")
        prefix = pkl[0][: -len("data.pkl")]
        little = True
        if prefix + "byteorder" in names:
            little = z.read(prefix + "byteorder").strip() == b"little"

        def loader(st):
            dtype = st.stype.dtype if little else st.stype.dtype.newbyteorder(">")
            raw = z.read(f"{prefix}data/{st.key}")
            arr = np.frombuffer(raw, dtype=dtype)
            if arr.size < st.numel:
                raise ValueError(f"storage {st.key}: {arr.size} elements, expected {st.numel}")
            st.array = arr.astype(st.stype.dtype)

        obj = TorchUnpickler(io.BytesIO(z.read(pkl[0])), storage_loader=loader).load()
    return obj, {"little_endian": little, "format": "zip"}


def load_state_dict(path):
    """Return (OrderedDict name -> numpy array, format string, sys_info)."""
    if zipfile.is_zipfile(path):
        obj, sys_info = load_zip(path)
        fmt = "zip"
    else:
        with open(path, "rb") as f:
            obj, sys_info = load_legacy(f)
        fmt = "legacy"
    if not isinstance(obj, dict):
        raise ValueError(f"expected a state dict, got {type(obj).__name__}")
    out = collections.OrderedDict()
    for name, value in obj.items():
        if not isinstance(value, LazyTensor):
            raise ValueError(f"{name}: not a tensor ({type(value).__name__})")
        out[name] = value.materialize()
    return out, fmt, sys_info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--expect-params", type=int, help="fail unless the parameter count matches")
    ap.add_argument("--meta", action="append", default=[], metavar="K=V", help="extra metadata")
    ap.add_argument("--verbose", action="store_true", help="list every tensor")
    args = ap.parse_args(argv)

    tensors, fmt, sys_info = load_state_dict(args.src)
    params = buffers = 0
    name = os.path.basename(args.src)
    if args.verbose:
        print(f"{name}: {fmt} torch serialization, {len(tensors)} tensors")
    for k, a in tensors.items():
        is_buffer = k.rsplit(".", 1)[-1] in BUFFER_SUFFIXES
        if is_buffer:
            buffers += a.size
        else:
            params += a.size
        if args.verbose:
            print(f"  {k:<20} {str(list(a.shape)):<18} {a.dtype.name}{'  (buffer)' if is_buffer else ''}")
    summary = f"{name}: {fmt} torch serialization, {len(tensors)} tensors, {params:,} parameters" + (
        f", {buffers:,} buffer elements" if buffers else "")
    if args.expect_params is not None and params != args.expect_params:
        sys.exit(f"error: {name}: {params} parameters, expected {args.expect_params}")

    meta = {
        "source": name,
        "source_sha256": sha256_file(args.src),
        "source_format": f"torch-{fmt}",
        "converter": "scripts/convert_torch_legacy.py",
        "tensor_order": json.dumps(list(tensors)),
    }
    for kv in args.meta:
        k, _, v = kv.partition("=")
        meta[k] = v
    write_safetensors(args.out, tensors, meta)
    print(f"{summary} -> {args.out}")


if __name__ == "__main__":
    main()
