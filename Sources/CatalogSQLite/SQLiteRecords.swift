import CatalogRows
import CurateCore
import GRDB

// The rows both backends decode (CatalogRows), fetched by GRDB straight from SQL results.
extension URLRow: FetchableRecord {}
extension URLLabelRow: FetchableRecord {}
extension FaceRow: FetchableRecord {}
extension PlacementColumns: FetchableRecord {}
extension FaceScoreRow: FetchableRecord {}
extension ScoreInputRow: FetchableRecord {}
extension HistoryRow: FetchableRecord {}
extension ReviewCardRow: FetchableRecord {}
extension ScoringColumns: FetchableRecord {}

// Typed values stored as their codes (the columns hold the same strings as before).
extension URLState: DatabaseValueConvertible {}
extension FetchFailure: DatabaseValueConvertible {}
extension SplitName: DatabaseValueConvertible {}
extension Exclusion: DatabaseValueConvertible {}
extension ImageFormat: DatabaseValueConvertible {}
extension CropMethod: DatabaseValueConvertible {}
