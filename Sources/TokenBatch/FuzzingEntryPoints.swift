/// The three ways untrusted bytes enter tokenbatch, as functions a fuzzer can call: a
/// manifest, a private key, and a token someone hands to `inspect`.
///
/// `Fuzz/` holds the libFuzzer targets that call these, built only when `TOKENBATCH_FUZZ` is
/// set (see `scripts/fuzz.sh`). Each function must return for every input, never trap.
public enum FuzzingEntryPoints {
    /// The clock every fuzzed plan uses, so that runs are repeatable.
    static let now = UnixTime(seconds: 1_800_000_000)

    /// Bytes → YAML → model → plan → the rendered report, as `plan` does it.
    public static func manifest(_ bytes: [UInt8]) {
        let diagnostics: [Diagnostic]
        do {
            let loaded = try ManifestLoader.load(bytes: bytes, file: "fuzz.yml")
            let plan = try Planner.plan(loaded.manifest, at: now, problems: loaded.problems)
            diagnostics = plan.warnings
            _ = PlanReport(
                manifest: "fuzz.yml", plan: plan, diagnostics: diagnostics,
                thumbprints: plan.keys.map { _ in nil }, outputDirectory: "out"
            ).json()
        } catch {
            diagnostics = error.diagnostics
        }
        _ = DiagnosticRenderer(sources: ["fuzz.yml": bytes], style: TextStyle(colours: false)).render(diagnostics)
    }

    /// Bytes → PEM repair → OpenSSL → a P-256 key and its thumbprint, or a `KeyProblem`; and
    /// the same bytes as `inspect --key` reads them.
    public static func key(_ bytes: [UInt8]) {
        if let pem = try? PEMText.privateKeyBlock(in: bytes), let key = try? P256PrivateKey(pem: pem),
            let publicKey = try? key.publicKey()
        {
            _ = PublicKeyJWK(publicKey).thumbprint
        }
        _ = try? VerificationKey(reading: bytes, tokenKeyID: "ABC123DEFG")
    }

    /// Text → every check `inspect` makes.
    public static func token(_ bytes: [UInt8]) {
        let inspection = TokenInspector.inspect(String(decoding: bytes, as: UTF8.self), now: now)
        _ = inspection.passes
    }
}
