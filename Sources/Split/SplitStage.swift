import CurateCore

/// `curate split`: assigns every usable face to a split, a whole group at a time.
///
/// A group is all faces of one photo and of its near-duplicate copies (the cluster's
/// canonical image names it), so no photo leaks between train and test. Left out, with a
/// reason: near-duplicate copies, images not scanned or unreadable, images without a face
/// (counted as images), and faces whose label is missing, unknown to the pipeline, or in
/// conflict, or that the quality gate or a reviewer rejected (counted as faces). A reviewer's label outranks the sources'.
public struct SplitStage: Sendable {
    public let catalog: any SplitCatalog
    public let labels: LabelSet

    public init(catalog: any SplitCatalog, labels: LabelSet) {
        self.catalog = catalog
        self.labels = labels
    }

    /// Keeps earlier assignments unless `reshuffle`; only new groups are placed.
    /// `partial` splits even while other processes still scan images for faces (their faces are
    /// added on the next split).
    public func run(_ settings: SplitSettings, reshuffle: Bool = false, partial: Bool = false) throws -> SplitSummary {
        try catalog.status().require(.scannedImages, for: "split")
        let open = try catalog.queueStatus(liveWithin: 0).counts(.faces)
        if open.unfinished > 0 && !partial {
            throw CurateError("""
                \(counted(open.unfinished, "face-scanning shard")) (\(counted(open.openItems, "image"))) still in progress in other processes: \
                wait for them (curate status shows them), or pass --partial to split the faces found so far
                """)
        }
        let inputs = try catalog.splitInputs()
        let keep = !reshuffle && inputs.faces.contains { $0.split != nil }
        if keep, let state = inputs.state, state.ratio != settings.ratio.description || state.seed != settings.seed {
            throw CurateError("""
                the stored split was made with ratio \(state.ratio) and seed \(state.seed), not \(settings.ratio) \
                and \(settings.seed); pass --reshuffle to recompute it (faces may move between splits), or \
                --ratio \(state.ratio) --seed \(state.seed) to add new faces to it
                """)
        }
        let names = settings.ratio.names
        var excluded: [String: Int] = [:]
        var rows: [FaceSplitRow] = []

        // Image-level exclusions, counted once per image.
        var imageReason: [String: Exclusion] = [:]
        let images = Dictionary(uniqueKeysWithValues: inputs.images.map { ($0.sha256, $0) })
        for image in inputs.images {
            let reason: Exclusion? = switch (image.canonical, image.scan) {
                case (false, _): .duplicate
                case (_, .notScanned): .notScanned
                case (_, .failed): .unreadable
                case (_, .faces(0)): .noFace
                case (_, .faces): nil
            }
            if let reason { imageReason[image.sha256] = reason; excluded[reason.rawValue, default: 0] += 1 }
        }

        // Face-level exclusions; the rest gather into groups.
        var members: [String: [(face: SplitFace, label: String)]] = [:]
        for face in inputs.faces {
            guard let image = images[face.imageSHA256] else { continue }
            let group = image.groupSHA256
            var reason = imageReason[image.sha256]
            var label: String?
            if reason == nil {
                // A reviewer's decision outranks the sources: a reject leaves the face out, a
                // relabel (or an accepted label) settles any conflict.
                if let gate = face.rejected { reason = Exclusion(gate) }
                else if face.review?.action == .reject { reason = .rejected }
                else if let reviewed = face.review?.label {
                    if labels.names.contains(reviewed) { label = reviewed } else { reason = .unknownLabel }
                }
                else if image.labels.isEmpty { reason = .unlabelled }
                else if image.labels.count > 1 || image.clusterConflict { reason = .labelConflict }
                else if !labels.names.contains(image.labels[0]) { reason = .unknownLabel }
                else { label = image.labels[0] }
                if let reason { excluded[reason.rawValue, default: 0] += 1 }
            }
            if let label {
                members[group, default: []].append((face, label))
            } else {
                rows.append(FaceSplitRow(faceID: face.id, split: nil, group: group,
                                         label: face.review?.label ?? (image.labels.count == 1 ? image.labels[0] : nil),
                                         excluded: reason))
            }
        }

        // Groups already (partly) assigned stay where most of their faces are; the rest are new.
        var summary = SplitSummary(ratio: settings.ratio, seed: settings.seed)
        var existing = Array(repeating: [String: Int](), count: names.count)
        var assignment: [String: Int] = [:]
        var newGroups: [SplitGroup] = []
        for (key, faces) in members {
            let previous = keep ? faces.compactMap { f in f.face.split.flatMap { names.firstIndex(of: $0) } } : []
            if previous.isEmpty {
                var byLabel: [String: Int] = [:]
                for f in faces { byLabel[f.label, default: 0] += 1 }
                newGroups.append(SplitGroup(key: key, labels: byLabel))
                continue
            }
            var votes = Array(repeating: 0, count: names.count)
            for s in previous { votes[s] += 1 }
            let s = votes.indices.max { (votes[$0], -$0) < (votes[$1], -$1) }!
            assignment[key] = s
            summary.keptFaces += previous.count { $0 == s }
            summary.movedFaces += previous.count { $0 != s }
            for f in faces { existing[s][f.label, default: 0] += 1 }
        }
        let placed = StratifiedSplitter(ratio: settings.ratio, seed: settings.seed).place(newGroups, existing: existing)
        assignment.merge(placed) { a, _ in a }
        summary.newGroups = newGroups.count

        for (key, faces) in members {
            let split = names[assignment[key]!]
            for f in faces {
                rows.append(FaceSplitRow(faceID: f.face.id, split: split, group: key, label: f.label, excluded: nil))
                summary.counts[split, default: [:]][f.label, default: 0] += 1
            }
        }
        summary.groups = members.count
        summary.excluded = excluded
        summary.labels = labels.names
        rows.sort { $0.faceID < $1.faceID }
        try catalog.recordSplit(SplitRecord(
            rows: rows, state: SplitState(ratio: settings.ratio.description, seed: settings.seed), excluded: excluded))
        return summary
    }
}
