/// A private key ready to sign, with the Key ID its tokens carry.
struct SigningKey: Sendable {
    var name: String
    var keyID: String
    var privateKey: P256PrivateKey
    var publicKey: P256PublicKey
    /// The RFC 7638 thumbprint of the public key, which tells keys apart without showing them.
    var thumbprint: String
}

/// Fetches the private keys a plan needs and hands them to OpenSSL.
public enum KeyLoader {
    /// No PEM private key comes near this size; a larger file is not a key.
    static let maximumKeySize = 64 * 1024

    /// What loading a plan's keys found.
    struct Outcome {
        /// Parallel to `Plan.keys`; `nil` where the key could not be loaded.
        var keys: [SigningKey?]
        /// Errors for unusable keys; warnings for missing ones when those are allowed, and for
        /// key files that others can read.
        var diagnostics: [Diagnostic]
    }

    /// Loads every key of `plan`.
    ///
    /// - Parameter missingIsWarning: true for `plan`, which needs no key: a key that is not
    ///   there is a warning, while a key that is there but unusable is still an error.
    static func loadKeys(of plan: Plan, environment: (String) -> String?, missingIsWarning: Bool = false) -> Outcome {
        var outcome = Outcome(keys: [], diagnostics: [])
        for key in plan.keys {
            do throws(Diagnostic) {
                let (signingKey, warnings) = try load(key, environment: environment)
                outcome.keys.append(signingKey)
                outcome.diagnostics += warnings
            } catch var problem {
                if missingIsWarning, problem.rule == .keyUnavailable {
                    problem.severity = .warning
                    problem.hint = "`apply` will need it; `plan` checked everything else"
                }
                outcome.keys.append(nil)
                outcome.diagnostics.append(problem)
            }
        }
        return outcome
    }

    private static func load(_ key: PlannedKey, environment: (String) -> String?) throws(Diagnostic) -> (
        SigningKey, [Diagnostic]
    ) {
        var text: [UInt8]
        var warnings: [Diagnostic] = []
        let origin: String
        switch key.source {
        case .file(let path):
            let resolved = key.resolvedPath ?? path
            origin = "file \(resolved)"
            do {
                text = try SystemCalls.readFile(resolved, limit: maximumKeySize)
            } catch {
                throw Diagnostic(
                    .keyUnavailable, at: key.location, "key `\(key.name)`: \(error)",
                    hint: error.isMissing
                        ? "put the .p8 file there, or change `file:`; paths are relative to the manifest's folder"
                        : "check that it is a readable regular file")
            }
            if let mode = SystemCalls.permissions(of: resolved), mode & 0o077 != 0 {
                warnings.append(
                    Diagnostic(
                        .keyFilePermissions, at: key.location,
                        "key `\(key.name)`: \(resolved) can be read by other users (mode \(FileMode.text(mode)))",
                        hint: "restrict it: chmod 600 \(resolved)"))
            }
        case .environment(let name):
            origin = "environment variable \(name)"
            guard let value = environment(name) else {
                throw Diagnostic(
                    .keyUnavailable, at: key.location, "key `\(key.name)`: environment variable \(name) is not set",
                    hint: "export \(name) with the text of the .p8 file")
            }
            text = Array(value.utf8)
        }
        defer { text.eraseSecret() }

        do {
            var pem = try PEMText.privateKeyBlock(in: text)
            defer { pem.eraseSecret() }
            let privateKey = try P256PrivateKey(pem: pem)
            let publicKey = try privateKey.publicKey()
            let signingKey = SigningKey(
                name: key.name, keyID: key.keyID, privateKey: privateKey, publicKey: publicKey,
                thumbprint: PublicKeyJWK(publicKey).thumbprint)
            return (signingKey, warnings)
        } catch {
            throw Diagnostic(
                .keyUnusable, at: key.location, "key `\(key.name)` from \(origin): \(error.explanation)",
                hint: error.hint)
        }
    }
}

extension [UInt8] {
    /// Overwrites the bytes with zeros before they are released.
    ///
    /// Best effort: copies made by Swift before this point cannot be reached.
    mutating func eraseSecret() {
        for index in indices { self[index] = 0 }
    }
}
