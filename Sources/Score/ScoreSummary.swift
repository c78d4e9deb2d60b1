import CurateCore
import Foundation

/// What `curate score` did, and the ranking it stored (most suspicious first).
public struct ScoreSummary: Sendable {
    public var model: String
    public var rankBy: ScoreSettings.RankBy
    /// Faces the network ran on now (the rest had stored outputs).
    public var inferred = 0
    public var inferSeconds = 0.0
    /// Faces the face ResNet ran on now (`score.face_resnet`), and how long it took.
    public var resnetInferred = 0
    public var resnetSeconds = 0.0
    public var ranked = 0
    public var flagged = 0
    public var notScorable: [String] = []
    public var seconds = 0.0
    public var top: [FaceScore] = []
    /// Stopped by Ctrl-C / SIGTERM after committing `inferred` outputs; nothing was ranked.
    public var interrupted = false
    /// Faces of unsettled label conflicts, scored for review (listed first there).
    public var conflicts = 0

    public var text: String {
        var lines: [String] = []
        if inferred > 0 || model == "default" {
            let rate = inferSeconds > 0 ? Double(inferred) / inferSeconds : 0
            lines.append("classified \(inferred) new faces in \(String(format: "%.2f", inferSeconds)) s (\(Int(rate)) faces/s)")
        }
        if resnetInferred > 0 {
            let rate = resnetSeconds > 0 ? Double(resnetInferred) / resnetSeconds : 0
            lines.append("face ResNet features for \(resnetInferred) new faces in \(String(format: "%.2f", resnetSeconds)) s (\(Int(rate)) faces/s)")
        }
        lines.append("ranked \(counted(ranked, "labelled face")) with the \(model) model by \(rankBy.rawValue); \(flagged) flagged as likely mislabels")
        if conflicts > 0 {
            lines.append("\(counted(conflicts, "face")) of label conflicts scored too: `curate review` shows them first, where a label settles each")
        }
        if !notScorable.isEmpty {
            lines.append("not scorable by the default model (no matching class): \(notScorable.joined(separator: ", ")); `curate train` covers them")
        }
        return lines.joined(separator: "\n")
    }
}
