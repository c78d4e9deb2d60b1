import Foundation
import Imaging
import Inference
import Testing
import TestSupport
@testable import Score

/// dlib's face ResNet (levels 4–2) in Swift against scripts/dlib_resnet_reference.py, a plain
/// numpy interpreter of the original .dat (affine layers unfolded, so the conversion's folding
/// and naming are checked too; the reference itself matches dlib 20.0.1's own descriptor within
/// 2e-7, README "Face ResNet features"), on chips cut from shared photos.
@Suite(.enabled(if: FaceResNetReference.available, FaceResNetReference.skipReason))
struct FaceResNetParityTests {
    @Test func theLevelTwoMapMatchesTheNumpyReferenceOfTheOriginalFile() throws {
        let net = try FaceResNet(contentsOf: FaceResNetReference.model)
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: datasetDir.appendingPathComponent("mtcnn-golden.json"))) as! [String: Any]
        let images = golden["images"] as! [String: Any]
        let dir = try makeTempDir("resnet")
        defer { try? FileManager.default.removeItem(at: dir) }
        var checked = 0
        for name in images.keys.sorted().prefix(4) {
            let faces = (images[name] as! [String: Any])["faces"] as! [[String: Any]]
            guard let face = faces.first else { continue }
            let landmarks = (face["landmarks"] as! [[Double]]).map { $0.map(Float.init) }
            let photo = try ImageDecoder.decode([UInt8](Data(contentsOf: datasetDir.appendingPathComponent("images/" + name))))
            let chip = FaceResNet.chipImage(photo, landmarks: landmarks)
            let ppm = dir.appendingPathComponent("chip\(checked).ppm"), npy = dir.appendingPathComponent("ref\(checked).npy")
            try (Data("P6\n150 150\n255\n".utf8) + Data(chip.pixels)).write(to: ppm)
            let r = try runProgram(FaceResNetReference.python, [repoRoot.appendingPathComponent("scripts/dlib_resnet_reference.py").path,
                                                                FaceResNetReference.dat.path, "--image", ppm.path, "--save-npy", npy.path])
            #expect(r.status == 0, "reference failed: \(r.err)")
            let want = try npyFloats(npy)
            let got = net.levelTwo(Tensor(shape: [1, 3, 150, 150], data: FaceResNet.inputValues(chip)))
            #expect(got.shape == [1, 128, 8, 8] && want.count == got.count)
            let scale = want.map(abs).max()!
            let worst = zip(got.data, want).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-4 * scale, "\(name): worst |Swift − numpy| \(worst), map max \(scale)")
            print("face ResNet level 2 vs numpy reference, \(name): worst difference \(worst) (map max \(scale))")
            checked += 1
        }
        #expect(checked == 4)
    }

    @Test func aBatchGivesWhatEachChipGivesAlone() throws {
        let net = try FaceResNet(contentsOf: FaceResNetReference.model)
        var rng = TestSupport.SplitMix(3)
        let per = 3 * 150 * 150
        let input = (0..<(2 * per)).map { _ in Float(rng.next() % 1000) / 1000 - 0.5 }
        let both = net.features(Tensor(shape: [2, 3, 150, 150], data: input))
        let second = net.features(Tensor(shape: [1, 3, 150, 150], data: Array(input[per...])))
        #expect(both.count == 2 && both[1].count == 512)
        #expect(zip(both[1], second[0]).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}

/// A little-endian float32 .npy file's values (numpy's format 1.0 header, then the data).
func npyFloats(_ url: URL) throws -> [Float] {
    let d = try Data(contentsOf: url)
    let headerLength = Int(d[8]) | Int(d[9]) << 8
    let header = String(decoding: d[10..<(10 + headerLength)], as: UTF8.self)
    guard header.contains("'<f4'"), header.contains("'fortran_order': False") else { throw CocoaError(.fileReadCorruptFile) }
    let body = Data(d[(10 + headerLength)...])
    return body.withUnsafeBytes { raw in
        (0..<(body.count / 4)).map { i in Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
    }
}

enum FaceResNetReference {
    static let model = repoRoot.appendingPathComponent("Data/models/" + FaceResNet.file)
    static let dat = repoRoot.appendingPathComponent("Data/cache/dlib_face_recognition_resnet_model_v1.dat")
    static let python = repoRoot.appendingPathComponent("Data/cache/venv-test/bin/python")
    static var available: Bool {
        hasDataset && [model, dat, python].allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }
    static let skipReason: Comment = "skipped: needs ../shared, Data/models (scripts/models.sh) and the test venv (scripts/test-venv.sh)"
}
