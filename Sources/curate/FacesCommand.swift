import ArgumentParser
import Catalogs
import CurateCore
import Faces
import Foundation

struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Detect faces (MTCNN) in every canonical image and store 160×160 crops.",
        discussion: "Near-duplicate copies marked by `curate dedup` are skipped. Reruns scan only new images.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Keep only the largest face of each image.")
    var largest = false

    @Option(help: "Crop mode: aligned (5-point similarity onto the ArcFace template) or margin (facenet-pytorch extract_face).")
    var crop: FaceSettings.Crop?

    @OptionGroup var models: ModelsOption
    func run() throws {
        var settings = try global.loadPipeline().faces
        if largest { settings.largest = true }
        if let crop { settings.crop = crop }
        let catalog = try global.openExistingCatalog()
        let workspace = try global.workspace(with: catalog)
        let stage = try FacesStage(workspace: workspace, catalog: catalog, settings: settings,
                                   modelsDir: try models.url(global),
                                   progress: StageProgress.forTerminal(label: "faces"))
        Interrupt.install()
        let summary = try stage.run()
        print(summary.text)
        if summary.interrupted {
            log("interrupted: kept the scans of \(counted(summary.scanned, "image")) (\(counted(summary.faces, "face"))); "
                + "run `curate faces` again to scan the rest")
            throw ExitCode(130)
        }
    }
}
