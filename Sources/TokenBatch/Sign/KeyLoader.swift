/// A private key ready to sign, with the Key ID its tokens carry.
struct SigningKey: Sendable {
    var name: String
    var keyID: String
    var privateKey: P256PrivateKey
}

/// Fetches the private keys a plan needs and hands them to OpenSSL.
public enum KeyLoader {
    /// No PEM private key comes near this size; a larger file is not a key.
    static let maximumKeySize = 64 * 1024

    /// Loads every key of `plan`, in order, reporting all the keys that cannot be used.
    ///
    /// - Throws: `DiagnosticsError` naming each unusable key and what is wrong with it.
    static func loadKeys(of plan: Plan, environment: (String) -> String?) throws(DiagnosticsError) -> [SigningKey] {
        var keys: [SigningKey] = []
        var problems: [Diagnostic] = []
        for key in plan.keys {
            do {
                let privateKey = try load(key, environment: environment)
                keys.append(SigningKey(name: key.name, keyID: key.keyID, privateKey: privateKey))
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else { throw DiagnosticsError(problems) }
        return keys
    }

    static func load(_ key: PlannedKey, environment: (String) -> String?) throws(Diagnostic) -> P256PrivateKey {
        var text: [UInt8]
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
                        : "check the file's permissions")
            }
        case .environment(let name):
            origin = "environment variable \(name)"
            guard let value = environment(name) else {
                throw Diagnostic(
                    .keyUnavailable, at: key.location, "key `\(key.name)`: environment variable \(name) is not set",
                    hint: "export \(name) with the text of the .p8 file; `plan` needs no key")
            }
            text = Array(value.utf8)
        }
        defer { text.eraseSecret() }

        do {
            return try P256PrivateKey(pem: try PEMText.normalised(text))
        } catch {
            throw Diagnostic(
                .keyUnusable, at: key.location, "key `\(key.name)` from \(origin): \(error.explanation)",
                hint: error.hint)
        }
    }
}

/// Repairs the damage PEM text commonly suffers on its way into a file or a variable, and
/// recognises what is not a private key before OpenSSL gives a less helpful answer.
enum PEMText {
    static func normalised(_ text: [UInt8]) throws(KeyProblem) -> [UInt8] {
        var bytes = text
        // A byte-order mark from Windows editors.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // A PEM stored in a variable with `\n` written out instead of line breaks.
        if !bytes.contains(UInt8(ascii: "\n")), bytes.contains(UInt8(ascii: "\\")) {
            bytes = bytes.replacingEscapedNewlines()
        }

        let visible = String(decoding: bytes, as: UTF8.self)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw .empty }
        if !visible.contains("-----BEGIN ") { throw .notPEM }
        if visible.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || visible.contains("Proc-Type: 4,ENCRYPTED") {
            throw .encrypted
        }
        for (label, kind) in [
            ("PUBLIC KEY", "public key"), ("CERTIFICATE", "certificate"),
            ("EC PARAMETERS", "set of EC parameters but no key"),
        ]
        where visible.contains("-----BEGIN \(label)-----") && !visible.contains("PRIVATE KEY-----") {
            throw .notAPrivateKey(kind)
        }
        if visible.contains("-----BEGIN RSA PRIVATE KEY-----") { throw .wrongAlgorithm("RSA") }
        return bytes
    }
}

extension [UInt8] {
    /// Overwrites the bytes with zeros before they are released.
    ///
    /// Best effort: copies made by Swift before this point cannot be reached.
    mutating func eraseSecret() {
        for index in indices { self[index] = 0 }
    }

    fileprivate func replacingEscapedNewlines() -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var index = startIndex
        while index < endIndex {
            if self[index] == UInt8(ascii: "\\"), index + 1 < endIndex, self[index + 1] == UInt8(ascii: "n") {
                result.append(UInt8(ascii: "\n"))
                index += 2
            } else if self[index] == UInt8(ascii: "\\"), index + 1 < endIndex, self[index + 1] == UInt8(ascii: "r") {
                index += 2
            } else {
                result.append(self[index])
                index += 1
            }
        }
        return result
    }
}
