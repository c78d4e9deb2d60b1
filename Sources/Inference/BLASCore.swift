import CKernels
import COpenBLAS
import Foundation

/// OpenBLAS kernels for CPUs its build does not know.
///
/// Debian 12's OpenBLAS (0.3.21, built for every x86 core) picks its kernels by the CPU's model
/// number. On CPUs newer than that release (measured here on an Emerald Rapids Xeon, model 207)
/// it falls back to "Prescott", its SSE3 kernels, although the CPU has AVX-512: the face ResNet
/// then runs at 99 instead of 225 faces/s. OpenBLAS reads `OPENBLAS_CORETYPE` only while it
/// loads, before `main`, so the remedy is to set it and execute the same program again, once.
public enum BLASCore {
    /// The kernel family to ask for instead of `current`, or nil to keep it: only the generic
    /// fallback is replaced, and only by a family whose instructions the CPU has.
    public static func replacement(current: String, avx512: Bool, avx2FMA: Bool) -> String? {
        guard current.lowercased() == "prescott" else { return nil }
        if avx512 { return "SkylakeX" }
        if avx2FMA { return "Haswell" }
        return nil
    }

    /// The family OpenBLAS runs with.
    public static var current: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Executes this program again with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to its
    /// generic kernels on a CPU with better ones. Does nothing when the variable is already set
    /// (by the user, or by the first run: no loop), or when exec fails (the run goes on, slower).
    public static func reexecIfGeneric(arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let core = replacement(current: current, avx512: ck_has_avx512_skx() == 1, avx2FMA: ck_has_avx2_fma() == 1)
        else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        // The file itself, not /proc/self/exe: the process keeps its name ("curate", not "exe") in ps and top.
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, Int(PATH_MAX))
        guard length > 0 else { return }
        execv(String(cString: Array(path[0..<length]) + [0]), arguments)
    }
}
