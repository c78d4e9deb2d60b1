import ArgumentParser
import CurateCore
import Dedup
import Foundation
import Faces
import Imaging
import Inference

/// Measurements that are not tests: rates printed for benchmark scripts.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate-bench", abstract: "Micro-benchmarks for curate's stages.",
        subcommands: [Decode.self, Hash.self, Cluster.self, Detect.self, QueueFill.self, QueueDrain.self])

    /// As `curate`: OpenBLAS's own kernels for this CPU (Inference/BLASCore.swift), then the command.
    static func main() {
        BLASCore.reexecIfGeneric(arguments: CommandLine.unsafeArgv)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch { exit(withError: error) }
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Full RGB decode of files with libjpeg-turbo/libpng on every core: the floor for hashing.")
    @Argument var files: [String]

    func run() throws {
        let blobs = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        let t0 = Date()
        DispatchQueue.concurrentPerform(iterations: blobs.count) { i in _ = try? ImageDecoder.decode(blobs[i]) }
        let s = Date().timeIntervalSince(t0)
        print("decoded \(blobs.count) files in \(String(format: "%.3f", s)) s (\(String(format: "%.0f", Double(blobs.count) / s)) images/s)")
    }
}

struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "pHash and dHash of files (decode included) on every core; prints the rate, or the hashes with --print.")
    @Flag(name: .customLong("print")) var printHashes = false
    @Argument var files: [String]

    func run() throws {
        let blobs = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        let t0 = Date()
        let out = parallelMap(blobs) { try? PerceptualHash.compute($0) }
        let s = Date().timeIntervalSince(t0)
        if printHashes {
            for (f, h) in zip(files, out) { print("\(f)\t\(h.map { hex16($0.phash) } ?? "-")\t\(h.map { hex16($0.dhash) } ?? "-")") }
        } else {
            print("hashed \(blobs.count) files in \(String(format: "%.3f", s)) s (\(String(format: "%.0f", Double(blobs.count) / s)) images/s)")
        }
    }
}

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "All pairs within a radius among N random 64-bit hashes, and their clusters.")
    @Option var n = 1_000_000
    @Option var radius = 10
    @Option var seed: UInt64 = 42

    func run() {
        var rng = SplitMix64(seed: seed)
        let hashes = (0..<n).map { _ in rng.next() }
        let t0 = Date()
        let index = HammingIndex(hashes)
        let t1 = Date()
        let pairs = index.pairs(radius: radius)
        var uf = UnionFind(n)
        for (a, b) in pairs { uf.union(a, b) }
        let clusters = uf.components()
        let t2 = Date()
        print("n \(n) radius \(radius): index \(String(format: "%.2f", t1.timeIntervalSince(t0))) s, "
              + "pairs+clusters \(String(format: "%.2f", t2.timeIntervalSince(t1))) s, total "
              + "\(String(format: "%.2f", t2.timeIntervalSince(t0))) s; \(pairs.count) pairs, \(clusters.count) clusters")
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "MTCNN on files on every core; prints the rate, or the detections with --print.")
    @Option var models = "Data/models"
    @Flag(name: .customLong("print")) var printFaces = false
    @Option(help: "Threads per image; above 1, images run one after another, each on that many threads.")
    var threads = 1
    @Argument var files: [String]

    func run() throws {
        Ops.useSingleThreadedBLAS()
        let mtcnn = try MTCNN(modelsDir: URL(fileURLWithPath: models))
        let images = try files.map { try ImageDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: $0)))) }
        let t0 = Date()
        let out = threads > 1 ? images.map { mtcnn.detect($0, threads: threads) } : parallelMap(images) { mtcnn.detect($0) }
        let s = Date().timeIntervalSince(t0)
        if printFaces {
            for (f, faces) in zip(files, out) {
                print(f)
                for d in faces { print("  box \(d.box) p \(d.probability) landmarks \(d.landmarks)") }
            }
        } else {
            print("detected \(out.map(\.count).reduce(0, +)) faces in \(images.count) files in \(String(format: "%.2f", s)) s (\(String(format: "%.1f", Double(images.count) / s)) images/s)")
        }
    }
}
