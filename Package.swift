// swift-tools-version:6.1
import PackageDescription

// OpenCV is linked module by module: `pkg-config --libs opencv4` would pull in ~55 libraries,
// which costs 0.3 s and 60 MB at every start-up (see ../shared/design/face-pipeline.md §5).
let openCVModules = ["opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_dnn", "opencv_videoio"]

let package = Package(
    name: "RollCall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rollcall", targets: ["rollcall"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // RollCallServer: HTTP API, graceful shutdown, Prometheus metrics, YAML config.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The only C++ in the project: a thin extern "C" layer over OpenCV (decode, detect, align, embed, capture).
        .target(
            name: "CRollCallShim",
            path: "CShims",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"])],
            linkerSettings: openCVModules.map { .linkedLibrary($0) }
        ),
        // Swift face engine over the shim: images, faces, embeddings, model packs.
        .target(
            name: "FaceEngine",
            dependencies: [
                "CRollCallShim",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")]
        ),
        // The matcher's coarse pass: int8 dot products, vectorised for the CPU found at run time.
        .target(name: "CMatchKernel", cSettings: [.unsafeFlags(["-O3"])]),
        // The roll-call domain: roster, matcher, quality gates, audit chain, reports. Knows embeddings only as
        // vectors, so it builds and tests without OpenCV.
        .target(
            name: "RollCall",
            dependencies: [
                "CMatchKernel",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // SQLite persistence (GRDB): migrations, encrypted templates, sessions, attendance.
        .target(
            name: "RollCallStore",
            dependencies: [
                "RollCall",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Enrollment: photo → face → quality gates → duplicate-identity guard → sealed template in the store.
        .target(
            name: "Enrollment",
            dependencies: [
                "FaceEngine",
                "RollCall",
                "RollCallStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Biometric evaluation: verification and identification metrics, DET curves. Pure Swift.
        .target(name: "Evaluation"),
        // One gate's live recognition: detect → track → embed → fuse a track's evidence → decide; and the matcher over
        // a store's templates, which every command that recognises shares.
        .target(
            name: "LiveRecognition",
            dependencies: ["FaceEngine", "RollCall", "RollCallStore"]
        ),
        // Evaluations that run the product as a site does: entrances built from photos (or a video and who walked in)
        // through the live pipeline, scored for check-ins, misses, wrong check-ins and identity switches; enrollment
        // photo quality against misses.
        .target(
            name: "SiteEvaluation",
            dependencies: [
                "FaceEngine", "RollCall", "RollCallStore", "Enrollment", "Evaluation", "LiveRecognition",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The entrance-camera daemon: capture, gates, attendance recording, HTTP API, SSE, dashboard, metrics.
        .target(
            name: "RollCallServer",
            dependencies: [
                "FaceEngine",
                "RollCall",
                "RollCallStore",
                "LiveRecognition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line tool: one small ArgumentParser command per verb.
        .executableTarget(
            name: "rollcall",
            dependencies: [
                "FaceEngine",
                "Enrollment",
                "Evaluation",
                "SiteEvaluation",
                "LiveRecognition",
                "RollCall",
                "RollCallStore",
                "RollCallServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "FaceEngineTests", dependencies: ["FaceEngine"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        // Runs the built `rollcall` binary: whole command lines, their output and exit codes.
        .testTarget(name: "CLITests", dependencies: ["rollcall"]),
        .testTarget(
            name: "EnrollmentTests",
            dependencies: [
                "Enrollment", "FaceEngine", "RollCall", "RollCallStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RollCallTests", dependencies: ["RollCall"]),
        .testTarget(
            name: "LiveRecognitionTests",
            dependencies: ["LiveRecognition", "SiteEvaluation", "FaceEngine", "RollCall", "RollCallStore", "Enrollment"]
        ),
        .testTarget(name: "RollCallStoreTests", dependencies: ["RollCallStore"]),
        .testTarget(
            name: "RollCallServerTests",
            dependencies: [
                "RollCallServer",
                "LiveRecognition",
                "FaceEngine",
                "RollCall",
                "RollCallStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
