// swift-tools-version:6.1
import PackageDescription

// OpenCV is linked module by module: `pkg-config --libs opencv4` would pull in ~55 libraries,
// which costs 0.3 s and 60 MB at every start-up (see ../shared/design/face-pipeline.md §5).
let openCVModules = ["opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_dnn", "opencv_videoio"]

// benchmarks/fuzz/sanitize_shim.sh builds the package once with `--sanitize=address` and sets this, so the shim is also
// checked by UBSan (Swift has no UBSan; the ASan runtime carries UBSan's handlers, vptr excepted).
let shimUBSan = Context.environment["ROLLCALL_SHIM_UBSAN"] == "1"
    ? ["-fsanitize=undefined", "-fno-sanitize=vptr", "-fno-sanitize-recover=undefined"] : []

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
        // Spreadsheets: the secretariat's .xlsx (a ZIP of XML parts) read and written.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder", from: "0.18.2"),
        // Documents and pages for people: HTML from Mustache templates kept as resources.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // AsyncTimerSequence for the SSE heartbeat service (already in the graph through Hummingbird).
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        // NIOCore's IOError, to name the address when the HTTP listener cannot bind (already in the graph).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Security: HTTPS (HummingbirdTLS over swift-nio-ssl), per-person tokens and roles, self-signed certificates.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        // Several gate machines and one secretariat over one PostgreSQL database (RollCallPostgres).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The only C++ in the project: a thin extern "C" layer over OpenCV (decode, detect, align, embed, capture).
        .target(
            name: "CRollCallShim",
            path: "CShims",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"] + shimUBSan)],
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
        // What people read, per language: the text catalogues (Vietnamese, English) and the site's clock.
        .target(name: "Texts", resources: [.copy("Resources")]),
        // Spreadsheet files without the roll call in them: .xlsx read and written, the Windows-1258 code page.
        .target(
            name: "Spreadsheets",
            dependencies: [
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "XMLCoder", package: "XMLCoder"),
            ]
        ),
        // The roll-call domain: roster, matcher, quality gates, audit chain, reports. Knows embeddings only as
        // vectors, so it builds and tests without OpenCV.
        .target(
            name: "RollCall",
            dependencies: [
                "CMatchKernel",
                "Texts",
                "Spreadsheets",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Documents for people: the HTML record, sign-in sheets and absentee lists (print CSS), the .xlsx report.
        .target(
            name: "Documents",
            dependencies: [
                "RollCall",
                "Texts",
                "Spreadsheets",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources")]
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
        // PostgreSQL persistence (postgres-nio): the same `RollCallStorage` for several machines, versioned migrations,
        // the audit chain appended under an advisory lock.
        .target(
            name: "RollCallPostgres",
            dependencies: [
                "RollCall",
                "RollCallStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
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
                "Documents",
                "Texts",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")]
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
                "RollCallPostgres",
                "RollCallServer",
                "Documents",
                "Texts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "FaceEngineTests", dependencies: ["FaceEngine"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        // Runs the built `rollcall` binary: whole command lines, their output and exit codes.
        .testTarget(
            name: "CLITests",
            dependencies: ["rollcall", "Spreadsheets", "RollCallPostgres", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "EnrollmentTests",
            dependencies: [
                "Enrollment", "FaceEngine", "RollCall", "RollCallStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LiveRecognitionTests",
            dependencies: ["LiveRecognition", "SiteEvaluation", "FaceEngine", "RollCall", "RollCallStore", "Enrollment"]
        ),
        .testTarget(
            name: "RollCallTests",
            dependencies: ["RollCall", "Texts", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "TextsTests", dependencies: ["Texts"]),
        .testTarget(
            name: "SpreadsheetsTests",
            dependencies: ["Spreadsheets", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "RollCall", "Texts"]),
        .testTarget(name: "RollCallStoreTests", dependencies: ["RollCallStore", "Texts"]),
        // One behaviour suite run against both stores: SQLite in memory, PostgreSQL on a real server
        // (ROLLCALL_TEST_POSTGRES; `make test` starts one).
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "RollCall", "RollCallStore", "RollCallPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RollCallServerTests",
            dependencies: [
                "RollCallServer",
                "LiveRecognition",
                "FaceEngine",
                "RollCall",
                "RollCallStore",
                "Documents",
                "Texts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
