import CurateCore
import Foundation

/// The head `curate train` fits, saved as JSON under the workspace with its settings and scores.
public struct TrainedHead: Codable, Sendable {
    public static let file = "models/trained-head.json"
    /// Stored-output name of its out-of-fold probabilities.
    public static let oofModel = "trained-oof"

    public var labels: [String]
    /// The default model's stored outputs it reads features from.
    public var featureModel: String
    public var folds: Int
    public var l2: Double
    public var seed: UInt64
    /// Fitted on the train split; scores faces that were not in the cross-validation.
    public var head: LogisticRegression
    public var report: TrainReport

    /// Features of one face: the default model's pooled activations and its class probabilities.
    static func features(_ r: ScoringRow) -> [Float] { r.features + r.probs }

    /// Refuses a head fitted for other labels or on another model's features.
    public func check(labels: [String], featureModel: String) throws {
        guard self.labels == labels else {
            throw CurateError("the trained head knows labels \(self.labels.joined(separator: ", ")), the pipeline \(labels.joined(separator: ", ")); run `curate train` again")
        }
        guard self.featureModel == featureModel else {
            throw CurateError("the trained head was fitted on features \(self.featureModel), the pipeline's score settings give \(featureModel); run `curate train` again")
        }
    }

    /// The train-split head's probabilities over `labels` for one face's default-model outputs.
    public func predict(features: [Float], probs: [Float]) -> [Float] { head.predict(features + probs) }

    public func save(_ ws: Workspace) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ws.writeAtomically([UInt8](try enc.encode(self)), to: Self.file)
    }

    public static func load(_ ws: Workspace) throws -> TrainedHead {
        let url = ws.url(relative: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CurateError("no trained head at \(url.path); run `curate train` first")
        }
        do { return try JSONDecoder().decode(TrainedHead.self, from: data) } catch {
            throw CurateError("cannot read \(url.path): \(error); run `curate train` again")
        }
    }

    /// Probabilities over `labels` for every face with default-model features: its out-of-fold
    /// probability where cross-validation gave one, else the train-split head's.
    func probabilities(catalog: any ScoreCatalog) throws -> [ScoringRow] {
        let oof = Dictionary(uniqueKeysWithValues: try catalog.scoringRows(model: Self.oofModel).map { ($0.faceID, $0.probs) })
        return try catalog.scoringRows(model: featureModel).map { r in
            var out = r
            out.probs = oof[r.faceID] ?? head.predict(Self.features(r))
            return out
        }
    }
}

/// Accuracy of the train-split head on val and test, and the out-of-fold accuracy.
public struct TrainReport: Codable, Sendable, Equatable {
    public struct SplitScores: Codable, Sendable, Equatable {
        public var faces: Int
        public var accuracy: Double
        public var perClass: [String: Double]
        /// confusion[given][predicted]
        public var confusion: [[Int]]
    }
    public var labels: [String]
    public var trainFaces: Int
    public var outOfFold: SplitScores
    public var splits: [String: SplitScores]

    static func scores(_ given: [Int], _ predicted: [Int], labels: [String]) -> SplitScores {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        for (g, p) in zip(given, predicted) { confusion[g][p] += 1 }
        var perClass: [String: Double] = [:]
        for (i, l) in labels.enumerated() {
            let n = confusion[i].reduce(0, +)
            if n > 0 { perClass[l] = Double(confusion[i][i]) / Double(n) }
        }
        let right = (0..<labels.count).reduce(0) { $0 + confusion[$1][$1] }
        return SplitScores(faces: given.count, accuracy: given.isEmpty ? 0 : Double(right) / Double(given.count),
                           perClass: perClass, confusion: confusion)
    }

    public var text: String {
        func block(_ name: String, _ s: SplitScores) -> [String] {
            var lines = ["\(name): \(s.faces) faces, accuracy \(String(format: "%.3f", s.accuracy)) ("
                + labels.compactMap { l in s.perClass[l].map { "\(l) \(String(format: "%.3f", $0))" } }.joined(separator: ", ") + ")"]
            let w = max(10, (labels.map(\.count).max() ?? 0) + 2)
            func pad(_ t: String) -> String { t + String(repeating: " ", count: max(0, w - t.count)) }
            lines.append("  " + pad("given\\pred") + labels.map(pad).joined())
            for (i, l) in labels.enumerated() { lines.append("  " + pad(l) + s.confusion[i].map { pad(String($0)) }.joined()) }
            return lines
        }
        var lines = ["trained on \(trainFaces) train-split faces"]
        lines += block("out-of-fold (all splits)", outOfFold)
        for name in ["val", "test"] { if let s = splits[name] { lines += block(name, s) } }
        return lines.joined(separator: "\n")
    }
}
