import Foundation

/// How well a head predicts the given labels: out of fold over every placed face, and the
/// train-split head on val and test. Per class precision and recall and the confusion matrix,
/// each with a 95% interval from resampling groups (people), not one accuracy.
public struct TrainReport: Codable, Sendable, Equatable {
    public struct SplitScores: Codable, Sendable, Equatable {
        public var faces: Int
        public var accuracy: Double
        /// Recall per class (the fraction of faces given the class that are predicted it).
        public var perClass: [String: Double]
        /// Precision per class (the fraction of faces predicted the class that were given it).
        public var precision: [String: Double]?
        /// confusion[given][predicted]
        public var confusion: [[Int]]
        public var intervals: Intervals?
    }

    /// 95% group-bootstrap intervals as [low, high].
    public struct Intervals: Codable, Sendable, Equatable {
        public var accuracy: [Double]
        public var recall: [String: [Double]]
        public var precision: [String: [Double]]
        /// Row rates: of the faces given label i, the fraction predicted j.
        public var confusionRate: [[[Double]]]
    }

    public var labels: [String]
    public var trainFaces: Int
    public var outOfFold: SplitScores
    public var splits: [String: SplitScores]
    /// The cross-fitted temperature's value on all faces (1 when not calibrated).
    public var temperature: Double?
    /// Warnings: too few faces to trust the numbers.
    public var warnings: [String]?

    static func scores(_ given: [Int], _ predicted: [Int], labels: [String], groups: [String]? = nil,
                       bootstrap: GroupBootstrap = GroupBootstrap()) -> SplitScores {
        let k = labels.count
        func confusion(_ idx: [Int]) -> [[Int]] {
            var m = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
            for i in idx { m[given[i]][predicted[i]] += 1 }
            return m
        }
        func recall(_ m: [[Int]], _ c: Int) -> Double? {
            let n = m[c].reduce(0, +)
            return n > 0 ? Double(m[c][c]) / Double(n) : nil
        }
        func precision(_ m: [[Int]], _ c: Int) -> Double? {
            let n = (0..<k).reduce(0) { $0 + m[$1][c] }
            return n > 0 ? Double(m[c][c]) / Double(n) : nil
        }
        func accuracy(_ m: [[Int]]) -> Double? {
            let n = m.joined().reduce(0, +)
            return n > 0 ? Double((0..<k).reduce(0) { $0 + m[$1][$1] }) / Double(n) : nil
        }
        let all = Array(given.indices), m = confusion(all)
        var perClass: [String: Double] = [:], prec: [String: Double] = [:]
        for (c, l) in labels.enumerated() {
            perClass[l] = recall(m, c)
            prec[l] = precision(m, c)
        }
        var intervals: Intervals?
        if let groups, !given.isEmpty {
            func ci(_ stat: @escaping ([[Int]]) -> Double?) -> [Double] {
                bootstrap.interval(groups: groups) { stat(confusion($0)) }.map { [$0.lowerBound, $0.upperBound] } ?? []
            }
            var rec: [String: [Double]] = [:], pre: [String: [Double]] = [:]
            for (c, l) in labels.enumerated() where perClass[l] != nil || prec[l] != nil {
                rec[l] = ci { recall($0, c) }
                pre[l] = ci { precision($0, c) }
            }
            let rates = (0..<k).map { g in
                (0..<k).map { p in
                    ci { m in
                        let n = m[g].reduce(0, +)
                        return n > 0 ? Double(m[g][p]) / Double(n) : nil
                    }
                }
            }
            intervals = Intervals(accuracy: ci(accuracy), recall: rec, precision: pre, confusionRate: rates)
        }
        return SplitScores(faces: given.count, accuracy: accuracy(m) ?? 0, perClass: perClass, precision: prec,
                           confusion: m, intervals: intervals)
    }

    public var text: String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        func ci(_ v: [Double]?) -> String { v.map { $0.count == 2 ? " [\(f($0[0])), \(f($0[1]))]" : "" } ?? "" }
        func pad(_ t: String, _ w: Int) -> String { t + String(repeating: " ", count: max(0, w - t.count)) }
        func block(_ name: String, _ s: SplitScores) -> [String] {
            var lines = ["\(name): \(s.faces) faces, accuracy \(f(s.accuracy))\(ci(s.intervals?.accuracy))"]
            let w = max(12, (labels.map(\.count).max() ?? 0) + 2)
            lines.append("  " + pad("class", w) + pad("precision", 24) + "recall")
            for l in labels {
                let p = s.precision?[l].map { f($0) + ci(s.intervals?.precision[l]) } ?? "-"
                let r = s.perClass[l].map { f($0) + ci(s.intervals?.recall[l]) } ?? "-"
                lines.append("  " + pad(l, w) + pad(p, 24) + r)
            }
            let cw = s.intervals == nil ? max(8, w) : 28
            lines.append("  " + pad("given\\pred", w) + labels.map { pad($0, cw) }.joined())
            for (i, l) in labels.enumerated() {
                let n = s.confusion[i].reduce(0, +)
                let cells = s.confusion[i].enumerated().map { j, c -> String in
                    guard let iv = s.intervals, n > 0 else { return pad(String(c), cw) }
                    return pad("\(c) (\(String(format: "%.2f", Double(c) / Double(n)))\(iv.confusionRate[i][j].count == 2 ? " \(String(format: "%.2f", iv.confusionRate[i][j][0]))-\(String(format: "%.2f", iv.confusionRate[i][j][1]))" : ""))", cw)
                }
                lines.append("  " + pad(l, w) + cells.joined())
            }
            return lines
        }
        var lines = ["trained on \(trainFaces) train-split faces"
                     + (temperature.map { ", temperature \(String(format: "%.2f", $0)) (cross-fitted on out-of-fold probabilities)" } ?? "")]
        for w in warnings ?? [] { lines.append("warning: " + w) }
        lines += block("out-of-fold (all splits)", outOfFold)
        for name in ["val", "test"] { if let s = splits[name] { lines += block(name, s) } }
        lines.append("intervals: 95%, resampling groups (people and duplicate clusters) with replacement")
        return lines.joined(separator: "\n")
    }
}
