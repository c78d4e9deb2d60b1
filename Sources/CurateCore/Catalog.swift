@_exported import CatalogModel

/// The catalog, one small protocol per stage: a stage depends only on its own, the catalog
/// returns facts and the stages (and `CatalogModel`) apply the rules. All SQL lives in the
/// backends (`SQLiteCatalog`, `PostgresCatalog`), which pass one contract suite (CatalogTests).
///
/// Synchronous on purpose, for every backend: the stages are CPU-bound loops on their own threads
/// (`parallelMap`, libcurl's multi loop, the scorer's batches) that commit between batches, and GRDB
/// is synchronous. An async backend (postgres-nio) runs its own event-loop group and the calling
/// thread waits for each result; callers never run on that group, so the wait cannot deadlock.
/// The review server's handlers make one short call per request (a loopback, one-user page).
public typealias Catalog = StatusCatalog & FetchCatalog & DedupCatalog & FacesCatalog & SplitCatalog & ScoreCatalog
    & ReviewCatalog & ExportCatalog & WorkQueueCatalog & StoreCatalog

/// Which blob store the catalog's paths name (`--store`): recorded by the first command given
/// one, so the next commands (on any machine) read the same store or refuse another.
public protocol StoreCatalog: Sendable {
    func recordedStore() throws -> String?
    /// Records `url` unless a store is recorded already; returns the one recorded now.
    func recordStore(_ url: String) throws -> String
}

/// What `curate status` and the read-only commands ask: counts and provenance.
public protocol StatusCatalog: Sendable {
    func status() throws -> CatalogStatus
    /// Failed URLs in list order, only those failed for `reason` when given.
    func failedURLs(reason: FetchFailure?) throws -> [URLProvenance]
}

/// `curate fetch` (and `predict --add`, the "try an image" page).
///
/// The per-item stages (fetch, dedup's hashing, faces, score's inference) also lease their work
/// from the queue (`WorkQueueCatalog`): each to-do query narrows to one shard when given one,
/// and each commit under a lease checks, in its own transaction, that the lease still holds.
public protocol FetchCatalog: WorkQueueCatalog, Sendable {
    /// Records URLs with their labels; known URLs keep their state and gain new labels.
    func addURLs(_ entries: [URLEntry]) throws -> AddSummary
    /// URLs not yet in a terminal state, plus failed ones when `retryFailed` (only `shard`'s when given).
    func urlsToFetch(retryFailed: Bool, shard: Int64?) throws -> [PendingURL]
    /// Commits terminal outcomes in one transaction; returns how many of the images
    /// were already stored under another URL (exact duplicates). Throws `LeaseLost`, recording
    /// nothing, when `lease` no longer holds.
    @discardableResult
    func record(_ outcomes: [FetchOutcome], lease: ShardLease?) throws -> Int
}

/// `curate dedup`.
public protocol DedupCatalog: StatusCatalog, WorkQueueCatalog, Sendable {
    /// Stored images with neither hashes nor a hashing error (only `shard`'s when given).
    func imagesToHash(shard: Int64?) throws -> [ImageToHash]
    func recordHashes(_ hashes: [ImageHashes], lease: ShardLease?) throws
    /// Every hashed image, in URL-list order, with the distinct labels of its URLs.
    func hashedImages() throws -> [HashedImage]
    /// Replaces all cluster assignments in one transaction (images outside every
    /// cluster become canonical singletons).
    func replaceClusters(_ clusters: [ClusterRecord], threshold: Int) throws
}

/// `curate faces` and its quality gate.
public protocol FacesCatalog: StatusCatalog, WorkQueueCatalog, Sendable {
    /// Canonical images (not near-duplicate copies) that have not been scanned for faces (only `shard`'s when given).
    func imagesToScan(shard: Int64?) throws -> [ImageToScan]
    /// Records scans and their faces in one transaction (an image's faces replace any earlier ones).
    func recordFaceScans(_ scans: [FaceScan], lease: ShardLease?) throws
    /// Every stored face with its quality measurements (if any) and gate outcome.
    func facesToGate() throws -> [FaceToGate]
    /// Stores new measurements and gate outcomes in one transaction.
    func recordFaceGate(_ updates: [FaceGateUpdate]) throws
}

/// `curate split`.
public protocol SplitCatalog: StatusCatalog, WorkQueueCatalog, Sendable {
    /// Every image and face with what deciding a split needs, and the stored split's settings.
    func splitInputs() throws -> SplitInputs
    /// Replaces the stored split (every face's assignment or exclusion) in one transaction.
    func recordSplit(_ split: SplitRecord) throws
}

/// `curate score` and `curate train`.
public protocol ScoreCatalog: StatusCatalog, WorkQueueCatalog, Sendable {
    /// Faces of canonical images with no stored output of `model` (a model name plus its file's
    /// hash), except those the quality gate left out (only `shard`'s when given).
    func facesToScore(model: String, shard: Int64?) throws -> [FaceToScore]
    func recordFaceProbs(_ probs: [FaceProbs], model: String, lease: ShardLease?) throws
    /// Every face the quality gate kept with a stored output of `model`, with its current label and split.
    func scoringRows(model: String) throws -> [ScoringRow]
    /// Replaces every face's mislabel scores (one ranking at a time) in one transaction.
    func replaceFaceScores(_ scores: [FaceScore], model: String) throws
}

/// `curate review`: the queue and the label history.
public protocol ReviewCatalog: Sendable {
    /// One page of scored faces the quality gate kept: flagged first, then by the chosen score, lowest first.
    func reviewQueue(_ query: ReviewQuery) throws -> ReviewPage
    /// One scored face as a queue card (nil when it has no score).
    func reviewItem(faceID: Int64) throws -> ReviewItem?
    /// Appends a relabel, accept or reject to the label history.
    func recordReview(faceID: Int64, action: ReviewAction, label: String?, reviewer: String) throws -> ReviewEntry
    /// Takes back the reviewer's latest decision still standing (nil when there is none).
    func undoLastReview(reviewer: String) throws -> ReviewEntry?
}

/// What `export`, `report` and `dedup --list` read.
public protocol ExportCatalog: StatusCatalog, Sendable {
    func clusterListings() throws -> [ClusterListing]
    /// Every label conflict (conflicting clusters, then single images whose URLs disagree).
    func labelConflicts() throws -> [LabelConflict]
    func imageExportRows() throws -> [ImageExportRow]
    func faceExportRows() throws -> [FaceExportRow]
    /// Images scanned without error in which no face was found.
    func imagesWithoutFaces() throws -> [ImageRef]
}

/// What only tests and audits read: one URL's provenance, all of it, one image's faces, the
/// whole label history. Kept off the stage protocols so no stage comes to depend on them.
public protocol CatalogInspection: Sendable {
    func provenance(url: String) throws -> URLProvenance?
    func allProvenance() throws -> [URLProvenance]
    func faces(ofImage sha256: String) throws -> [FaceRecord]
    /// The whole label history, oldest first.
    func reviewHistory() throws -> [ReviewEntry]
    /// Every shard of the work queue, oldest first: stage, state and attempts.
    func shards() throws -> [ShardRecord]
}

/// The calls outside leased work (tests, `predict --add`, audits): the whole to-do list, no lease.
extension FetchCatalog {
    public func urlsToFetch(retryFailed: Bool) throws -> [PendingURL] { try urlsToFetch(retryFailed: retryFailed, shard: nil) }
    @discardableResult
    public func record(_ outcomes: [FetchOutcome]) throws -> Int { try record(outcomes, lease: nil) }
}

extension DedupCatalog {
    public func imagesToHash() throws -> [ImageToHash] { try imagesToHash(shard: nil) }
    public func recordHashes(_ hashes: [ImageHashes]) throws { try recordHashes(hashes, lease: nil) }
}

extension FacesCatalog {
    public func imagesToScan() throws -> [ImageToScan] { try imagesToScan(shard: nil) }
    public func recordFaceScans(_ scans: [FaceScan]) throws { try recordFaceScans(scans, lease: nil) }
}

extension ScoreCatalog {
    public func facesToScore(model: String) throws -> [FaceToScore] { try facesToScore(model: model, shard: nil) }
    public func recordFaceProbs(_ probs: [FaceProbs], model: String) throws { try recordFaceProbs(probs, model: model, lease: nil) }
}
