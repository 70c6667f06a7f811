// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mcp-runtime",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mcp-runtime", targets: ["mcp-runtime"]),
        .executable(name: "mcp-proxy", targets: ["mcp-proxy"]),
        .library(name: "MCPRuntimeRender", targets: ["MCPRuntimeRender"]),
        .library(name: "MCPProxyConfig", targets: ["MCPProxyConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
    ],
    targets: [
        // Kubernetes core types (ObjectMeta, workloads, JSONValue): pure, no I/O.
        .target(name: "KubeCore"),
        // Strict JSON over UTF-8 bytes (duplicate members, invalid UTF-8, trailing data and
        // the like refused): what every parser on the request path reads with. No dependencies.
        .target(name: "StrictJSON"),
        // libcurl (system package libcurl4-openssl-dev) with typed setopt wrappers.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The Kubernetes API client over libcurl: configuration (in-cluster, kubeconfig),
        // typed requests and Status errors, retries, watch streams.
        .target(name: "KubeClient", dependencies: ["CCurl", "KubeCore", .product(name: "Yams", package: "Yams")]),
        // Generic controller machinery (kube-rs' kube-runtime): informers with a local
        // store, work queue, controller loop; knows nothing of MCP.
        .target(name: "KubeRuntime", dependencies: ["KubeClient", "KubeCore"]),
        // MCPServer, MCPAccessGrant, MCPAgentSession wire types, defaulting, validation: pure.
        .target(name: "MCPRuntimeAPI", dependencies: ["KubeCore"]),
        // The versioned JSON the operator renders and mcp-proxy enforces: pure.
        .target(name: "MCPProxyConfig", dependencies: ["MCPRuntimeAPI", "KubeCore", "StrictJSON", .product(name: "Crypto", package: "swift-crypto")]),
        // Governance (grants, sessions, trust, side effects, expiry, revocation) and scope
        // checks for tools/call, evaluated from a ProxyConfig: pure, shared by the proxy.
        // Also the per-caller and per-tool rate limits (token buckets, bounded memory).
        .target(name: "MCPPolicy", dependencies: ["MCPProxyConfig", "MCPRuntimeAPI", .product(name: "Crypto", package: "swift-crypto")]),
        // OAuth resource-server pieces of the proxy that need no I/O: challenges, credential
        // extraction, claims, AS discovery order, JSON-RPC inspection, PRM, Origin.
        .target(name: "MCPAuth", dependencies: ["MCPProxyConfig", "MCPRuntimeAPI", "KubeCore", "StrictJSON"]),
        // Access-token verification: jwt-kit wrapped so that only allowed asymmetric
        // algorithms, known key ids and this resource's issuer and audience pass.
        .target(
            name: "MCPTokenVerification",
            dependencies: [
                "MCPAuth", "MCPRuntimeAPI", "KubeCore", "StrictJSON", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The proxy's request pipeline without sockets: route, Origin, credentials,
        // authentication, JSON-RPC inspection, scopes, governance, header sanitization.
        .target(
            name: "MCPProxyCore",
            dependencies: [
                "MCPAuth", "MCPPolicy", "MCPProxyConfig", "MCPTokenVerification", "KubeCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Canonical resource URI, effective auth, proxy config and object rendering: pure.
        .target(
            name: "MCPRuntimeRender",
            dependencies: ["KubeCore", "MCPRuntimeAPI", "MCPProxyConfig"]
        ),
        // What the operator decides, without I/O: MCPServer, grant and session status.
        .target(name: "MCPReconcile", dependencies: ["KubeCore", "MCPRuntimeAPI", "MCPRuntimeRender"]),
        // The admin listener (/healthz, /readyz, /metrics) and listen addresses, shared by both binaries.
        .target(
            name: "AdminHTTP",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        // The operator's I/O: the MCPServer controller and reconciler, leader election,
        // Events, the admin listener (/healthz, /readyz, /metrics), JSON logs.
        .target(
            name: "MCPOperator",
            dependencies: [
                "AdminHTTP", "KubeClient", "KubeCore", "KubeRuntime", "MCPReconcile", "MCPRuntimeAPI", "MCPRuntimeRender",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Multi-document YAML/JSON manifests in, typed objects out (strict fields), YAML out.
        .target(
            name: "MCPManifests",
            dependencies: ["KubeCore", "MCPRuntimeAPI", .product(name: "Yams", package: "Yams")]
        ),
        // The `mcp-runtime` command line (render; the operator joins later).
        .target(
            name: "MCPRuntimeCLI",
            dependencies: [
                "AdminHTTP", "MCPManifests", "MCPRuntimeAPI", "MCPRuntimeRender", "MCPOperator", "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mcp-runtime", dependencies: ["MCPRuntimeCLI"]),
        // The proxy's I/O: HTTP server (Hummingbird), the upstream client (NIO HTTP/1.1,
        // pooled, streaming), the issuer's endpoints (AsyncHTTPClient), config loading,
        // around the MCPProxyCore pipeline.
        .target(
            name: "MCPProxyServer",
            dependencies: [
                "AdminHTTP", "MCPProxyCore", "MCPPolicy", "MCPProxyConfig", "MCPRuntimeAPI", "KubeClient", "KubeRuntime", "KubeCore",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "mcp-proxy", dependencies: ["MCPProxyServer"]),
        // hack/bench.sh's token-verification loop (the proxy's verifier, one core).
        .executableTarget(name: "mcp-bench", dependencies: ["MCPTestSupport", "MCPTokenVerification", "MCPRuntimeAPI", "MCPProxyCore"]),

        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore"]),
        // Loopback HTTP(S) servers for tests: any router, or one replaying Kubernetes API responses.
        .target(
            name: "TestServers",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/TestServers"
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeCore", "TestServers", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeRuntime", "KubeClient", "KubeCore", "TestServers", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(
            name: "MCPOperatorTests",
            dependencies: ["MCPOperator", "KubeClient", "KubeCore", "KubeRuntime", "MCPRuntimeAPI", "TestServers", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "MCPReconcileTests", dependencies: ["MCPReconcile", "MCPRuntimeRender", "MCPRuntimeAPI", "KubeCore"]),
        .testTarget(name: "MCPRuntimeAPITests", dependencies: ["MCPRuntimeAPI"]),
        .testTarget(name: "MCPRuntimeRenderTests", dependencies: ["MCPRuntimeRender", "MCPManifests"], exclude: ["Snapshots"]),
        .testTarget(name: "MCPManifestsTests", dependencies: ["MCPManifests", "MCPRuntimeAPI"]),
        .testTarget(name: "MCPRuntimeCLITests", dependencies: ["MCPRuntimeCLI", "MCPRuntimeAPI", "MCPRuntimeRender"]),
        .testTarget(name: "MCPPolicyTests", dependencies: ["MCPPolicy"]),
        .testTarget(name: "MCPAuthTests", dependencies: ["MCPAuth", "StrictJSON"]),
        .testTarget(name: "MCPProxyCoreTests", dependencies: ["MCPProxyCore", "MCPTestSupport", "MCPTokenVerification"]),
        .testTarget(
            name: "MCPProxyServerTests",
            dependencies: [
                "MCPProxyServer", "MCPProxyConfig", "MCPRuntimeAPI", "KubeCore", "TestServers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // A stand-in issuer (real keys, signed and crafted tokens) shared by test targets.
        .target(
            name: "MCPTestSupport",
            dependencies: [
                "MCPTokenVerification", "KubeCore", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/MCPTestSupport"
        ),
        .testTarget(
            name: "MCPTokenVerificationTests",
            dependencies: [
                "MCPTokenVerification", "MCPAuth", "MCPTestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),

        // Coverage-guided fuzz targets (docs/fuzzing.md): `hack/fuzz.sh` builds them with
        // `--sanitize fuzzer` into libFuzzer binaries; a normal build makes each a replayer
        // of the inputs named on its command line. They depend on pure targets only.
        .target(name: "FuzzSupport", path: "Tests/fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzJSONRPC", dependencies: ["FuzzSupport", "StrictJSON", "MCPAuth", "KubeCore"], path: "Tests/fuzz/FuzzJSONRPC"),
        .executableTarget(name: "FuzzCredentials", dependencies: ["FuzzSupport", "MCPAuth"], path: "Tests/fuzz/FuzzCredentials"),
        .executableTarget(name: "FuzzHeaders", dependencies: ["FuzzSupport", "MCPProxyCore", "MCPProxyConfig"], path: "Tests/fuzz/FuzzHeaders"),
        .executableTarget(name: "FuzzChallenge", dependencies: ["FuzzSupport", "MCPAuth"], path: "Tests/fuzz/FuzzChallenge"),
        .executableTarget(name: "FuzzJWSHeader", dependencies: ["FuzzSupport", "StrictJSON", "MCPAuth", "MCPTokenVerification"], path: "Tests/fuzz/FuzzJWSHeader"),
        .executableTarget(name: "FuzzAnswers", dependencies: ["FuzzSupport", "MCPProxyCore", "MCPPolicy"], path: "Tests/fuzz/FuzzAnswers"),
        .executableTarget(name: "FuzzProxyConfig", dependencies: ["FuzzSupport", "StrictJSON", "MCPAuth", "MCPProxyConfig", "KubeCore"], path: "Tests/fuzz/FuzzProxyConfig"),
    ],
    swiftLanguageModes: [.v6]
)
