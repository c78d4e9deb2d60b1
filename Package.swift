// swift-tools-version:6.0
import PackageDescription

// Hot loops need instructions baseline x86-64 lacks: POPCNT for Hamming distances
// (4.8 s instead of 6.6 s for a million hashes) and SSE4.1's PMULLD for vectorised
// resampling. Every x86-64 CPU since 2008 (Nehalem) has both.
#if arch(x86_64)
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "nehalem"])]
#else
let hotLoops: [SwiftSetting] = []
#endif

let package = Package(
    name: "curate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "curate", targets: ["curate"]),
        .executable(name: "curate-bench", targets: ["curate-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),   // IOError, for a clear "port in use"
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),   // TLS to PostgreSQL (postgres-nio's own)
    ],
    targets: [
        // C libraries, each behind a thin system-library module.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebpdemux",
                       providers: [.apt(["libwebp-dev"])]),
        // No pkgConfig: libavif.pc adds -DAVIF_DLL, which SwiftPM refuses (a Windows-only macro).
        .systemLibrary(name: "CAVIF",
                       providers: [.apt(["libavif-dev"])]),
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // AVX2 kernels (MTCNN's P-Net convolutions, Pillow-exact resampling), used only when the
        // CPU has AVX2 and FMA (checked at run time).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),

        // A small CPU tensor library: conv/linear through OpenBLAS sgemm, pooling, resampling.
        .target(name: "Inference", dependencies: ["COpenBLAS", "CKernels"], swiftSettings: hotLoops),

        // Where blobs live: the workspace, a shared folder, or S3 (libcurl's SigV4; no SDK).
        .target(name: "BlobStore", dependencies: ["CurateCore", "CCurl"]),

        // libpng's low-level reader (its errors longjmp, so it is driven from C).
        .target(name: "CCodecs", dependencies: ["CPNG"], cSettings: [.unsafeFlags(["-O3"])]),

        // Image decoding: header probes, container walks, pixels as Pillow reads them, EXIF orientation.
        .target(name: "Imaging", dependencies: ["CatalogModel", "CTurboJPEG", "CPNG", "CWebP", "CAVIF", "CGIF", "CCodecs", "CKernels"],
                swiftSettings: hotLoops),

        // The catalog's model: record types, typed reasons and the rules as pure functions
        // (no dependencies, tested without a database).
        .target(name: "CatalogModel"),

        // Workspace, pipeline configuration, progress, and the catalog's per-stage protocols
        // (what stages depend on; no backend, no SQL).
        .target(name: "CurateCore", dependencies: [
            "CatalogModel",
            .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
        ], plugins: ["EmbedFiles"]),   // Templates/emotions.yml: the built-in pipeline

        // The rows both backends decode (Decodable, column-named), mapped once to the model's types.
        .target(name: "CatalogRows", dependencies: ["CurateCore"]),

        // The SQLite backend: GRDB records, migrations; SQL lives here and in CatalogPostgres.
        .target(name: "CatalogSQLite", dependencies: ["CurateCore", "CatalogRows", .product(name: "GRDB", package: "GRDB.swift")]),

        // The PostgreSQL backend (many processes on many machines): postgres-nio, its own migrations.
        .target(name: "CatalogPostgres", dependencies: [
            "CurateCore", "CatalogRows",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // `--catalog URL` / `$CURATE_CATALOG` and the one factory that opens a backend for it.
        .target(name: "Catalogs", dependencies: ["CurateCore", "CatalogSQLite", "CatalogPostgres"]),

        // Stage: download URL lists with libcurl's multi interface.
        .target(name: "Fetch", dependencies: [
            "CurateCore", "Imaging", "CCurl",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "CSV", package: "CSV.swift"),
        ]),

        // Stage: perceptual hashes, near-duplicate clusters, label conflicts.
        .target(name: "Dedup", dependencies: ["CurateCore", "Imaging"], swiftSettings: hotLoops),

        // Stage: MTCNN face detection, landmarks, aligned crops.
        .target(name: "Faces", dependencies: ["CurateCore", "Imaging", "Inference"], swiftSettings: hotLoops),

        // Stage: stratified, group-aware train/val/test splits.
        .target(name: "Split", dependencies: ["CurateCore"]),

        // Stage: emotion classifier scores, cleanlab mislabel ranking, a trained head.
        .target(name: "Score", dependencies: ["CurateCore", "Faces", "Imaging", "Inference", "Split", "COpenBLAS"], swiftSettings: hotLoops),

        // Files training code reads: ImageFolder trees, CSV, JSON Lines.
        .target(name: "Export", dependencies: ["CurateCore", .product(name: "CSV", package: "CSV.swift")]),

        // `curate predict`: detector and classifier on any photo, boxes and probabilities drawn.
        .target(name: "Predict", dependencies: ["CurateCore", "Faces", "Score", "Fetch", "Imaging", "Inference"]),

        // `curate worker`: every per-item stage's leased half in one loop.
        .target(name: "Worker", dependencies: ["CurateCore", "Fetch", "Dedup", "Faces", "Score"]),

        // Build-time embedding: a target's Templates/ files become string constants compiled into
        // it, so the binary needs no resource bundle beside it (it must run from anywhere alone).
        .executableTarget(name: "embed-files"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["embed-files"]),

        // `curate review`: the active-review web page and the "try an image" page (Hummingbird, loopback only).
        .target(name: "Review", dependencies: [
            "CurateCore", "Imaging", "Predict", "Fetch",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], plugins: ["EmbedFiles"]),

        // `curate report`: one self-contained HTML file.
        .target(name: "Report", dependencies: [
            "CurateCore", "Imaging", .product(name: "Mustache", package: "swift-mustache"),
        ], plugins: ["EmbedFiles"]),

        // The command line: argument parsing only.
        .executableTarget(name: "curate", dependencies: [
            "CurateCore", "Catalogs", "Fetch", "Dedup", "Faces", "Split", "Score", "Export", "Review", "Report", "Predict", "Worker", "Inference", "BlobStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks that print rates (never timed tests).
        .executableTarget(name: "curate-bench", dependencies: [
            "CurateCore", "Catalogs", "Dedup", "Faces", "Imaging", "Inference",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "CatalogModelTests", dependencies: ["CatalogModel"]),
        .testTarget(name: "CurateCoreTests", dependencies: ["CurateCore"]),
        // The contract every backend passes, and each backend's own migrations.
        .testTarget(name: "CatalogTests", dependencies: ["Catalogs", "CurateCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference"]),
        .testTarget(name: "FacesTests", dependencies: ["Catalogs", "Faces", "Imaging", "Inference", "TestSupport"],
                    exclude: ["make_gate_cases.py"]),
        .testTarget(name: "WebImageTests", dependencies: ["Imaging", "Dedup", "Faces", "TestSupport"],
                    exclude: ["make_variants.py"]),
        .testTarget(name: "BlobStoreTests", dependencies: ["BlobStore", "CurateCore", "curate", "TestSupport"]),
        .testTarget(name: "WorkerTests", dependencies: ["BlobStore", "Catalogs", "CurateCore", "curate", "TestSupport"]),
        // Shared test helpers (paths, temp dirs, the loopback server, the curate binary).
        .target(name: "TestSupport", dependencies: ["BlobStore"], path: "Tests/TestSupport"),
        .testTarget(name: "FetchTests", dependencies: ["Catalogs", "Fetch", "CurateCore", "Export", "curate", "TestSupport"]),
        .testTarget(name: "DedupTests", dependencies: ["Catalogs", "Dedup", "CurateCore", "Imaging", "Fetch", "TestSupport"]),
        .testTarget(name: "ScoreTests", dependencies: ["Catalogs", "Score", "Split", "CurateCore", "Imaging", "Inference", "curate", "TestSupport"]),
        .testTarget(name: "SplitTests", dependencies: ["Catalogs", "Split", "Export", "CurateCore", "Imaging", "curate", "TestSupport",
                                                  .product(name: "CSV", package: "CSV.swift")],
                    exclude: ["imagefolder_check.py"]),
        .testTarget(name: "PredictTests", dependencies: ["Catalogs", "Predict", "Imaging", "CurateCore", "curate", "TestSupport"]),
        .testTarget(name: "ReviewTests", dependencies: ["Catalogs", "Review", "Report", "CurateCore", "Imaging", "curate", "TestSupport"],
                    exclude: ["review_browser.py", "report_browser.py", "try_browser.py"]),
    ]
)
