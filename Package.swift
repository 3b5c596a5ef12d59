// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tokenbatch",
    products: [
        .executable(name: "tokenbatch", targets: ["tokenbatch"]),
        .library(name: "TokenBatch", targets: ["TokenBatch"]),
    ],
    targets: [
        // The two C libraries, reached through the system's pkg-config files.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // Everything tokenbatch does. Only the files under `CLibraries/` import the C modules.
        .target(
            name: "TokenBatch",
            dependencies: ["CYAML", "CCrypto"]
        ),

        // The command-line entry point: parse arguments, call the library, exit.
        .executableTarget(
            name: "tokenbatch",
            dependencies: ["TokenBatch"]
        ),

        .testTarget(
            name: "TokenBatchTests",
            dependencies: ["TokenBatch", "tokenbatch"]
        ),
    ]
)

// The libFuzzer targets exist only for `scripts/fuzz.sh`, which sets TOKENBATCH_FUZZ and
// builds with `--sanitize=fuzzer`: without libFuzzer they have no `main` and cannot link.
if Context.environment["TOKENBATCH_FUZZ"] != nil {
    for name in ["FuzzManifest", "FuzzKey", "FuzzToken"] {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["TokenBatch"],
                path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
