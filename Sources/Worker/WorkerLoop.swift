import CurateCore
import Dedup
import Faces
import Fetch
import Foundation
import Score

/// A per-item stage `curate worker` can run.
public enum WorkerStep: String, Sendable, CaseIterable, Comparable {
    case fetch, hash, faces, score

    public static func < (a: WorkerStep, b: WorkerStep) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What one worker did, per step.
public struct WorkerSummary: Sendable {
    public var fetched = 0, fetchFailed = 0, hashed = 0, scanned = 0, faces = 0, scored = 0
    public var passes = 0
    public var interrupted = false
    public var seconds = 0.0

    public var text: String {
        "worker: \(passes) pass\(passes == 1 ? "" : "es") in \(String(format: "%.1f", seconds)) s: "
            + "fetched \(fetched) (failed \(fetchFailed)), hashed \(hashed), scanned \(counted(scanned, "image")) (\(counted(faces, "face"))), "
            + "scored \(counted(scored, "face"))"
    }
}

/// `curate worker`: runs the chosen per-item stages in pipeline order, each leasing shards until
/// none is claimable, pass after pass. One lease keeper serves every stage, so `curate status`
/// lists the process once. The global steps (clustering, split, ranking, export) are not run
/// here: they read everything at once and run once, from one `curate dedup` / `split` / `score`.
public struct WorkerLoop {
    public var steps: [WorkerStep]
    public var untilIdle: Bool
    /// Seconds between passes that found nothing, when not `untilIdle`.
    public var poll: Double
    public var policy: LeasePolicy

    let workspace: Workspace
    let catalog: any Catalog
    let pipeline: PipelineConfig
    let modelsDir: URL

    public init(steps: [WorkerStep], untilIdle: Bool, poll: Double = 5, policy: LeasePolicy = LeasePolicy(),
                workspace: Workspace, catalog: any Catalog, pipeline: PipelineConfig, modelsDir: URL) {
        self.steps = steps.sorted(); self.untilIdle = untilIdle; self.poll = poll; self.policy = policy
        self.workspace = workspace; self.catalog = catalog; self.pipeline = pipeline; self.modelsDir = modelsDir
    }

    public func run() throws -> WorkerSummary {
        let t0 = Date()
        let keeper = try LeaseKeeper(queue: catalog, policy: policy, stages: steps.map(\.rawValue).joined(separator: ","))
        defer { keeper.finish() }
        // Loaded once: MTCNN and the classifier are the expensive part of starting.
        let faces = steps.contains(.faces)
            ? try FacesStage(workspace: workspace, catalog: catalog, settings: pipeline.faces, modelsDir: modelsDir) : nil
        var score = ScoreStage(workspace: workspace, catalog: catalog, labels: pipeline.labels.names,
                               settings: pipeline.score, modelsDir: modelsDir)
        score.policy = policy
        score.keeper = keeper
        var s = WorkerSummary()
        while !Interrupt.requested {
            var did = 0
            for step in steps where !Interrupt.requested {
                switch step {
                case .fetch:
                    let f = try FetchStage(workspace: workspace, catalog: catalog, settings: pipeline.fetch)
                        .run(retryFailed: false, policy: policy, keeper: keeper)
                    s.fetched += f.fetched; s.fetchFailed += f.failed; did += f.attempted
                case .hash:
                    guard try catalog.status().images.total > 0 else { continue }
                    let h = try DedupStage(workspace: workspace, catalog: catalog).hash(policy: policy, keeper: keeper)
                    s.hashed += h.hashed; did += h.hashed
                case .faces:
                    guard let faces, try catalog.status().images.total > 0 else { continue }
                    let r = try faces.run(policy: policy, keeper: keeper)
                    s.scanned += r.scanned; s.faces += r.faces; did += r.scanned
                case .score:
                    guard try catalog.status().faces.total > 0 else { continue }
                    let n = try score.inferOnly()
                    s.scored += n; did += n
                }
            }
            s.passes += 1
            if did == 0 {
                if untilIdle { break }
                // Sleep in short steps so Ctrl-C is not kept waiting.
                let until = Date().addingTimeInterval(poll)
                while Date() < until && !Interrupt.requested { Thread.sleep(forTimeInterval: 0.2) }
            }
        }
        s.interrupted = Interrupt.requested
        s.seconds = Date().timeIntervalSince(t0)
        return s
    }
}
