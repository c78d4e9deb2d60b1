/// Inference allocates and frees multi-megabyte activations for every image. glibc serves
/// those with fresh mmap'd pages by default, so each one costs page faults and zeroing (a
/// fifth of `curate score`'s CPU time here); keeping them in the heap reuses warm memory.
public func keepLargeAllocationsInHeap() {
    #if os(Linux)
    // M_TRIM_THRESHOLD (-1) and M_MMAP_THRESHOLD (-3) from <malloc.h>, which Glibc's module omits.
    _ = glibcMallopt(-3, 256 << 20)
    _ = glibcMallopt(-1, 256 << 20)
    #endif
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
