/// `tokenbatch keygen` and `tokenbatch public-key`: make a key to try the tool with, and show
/// the public part of a manifest's keys to whoever verifies the tokens.
struct KeyCommands {
    var tool: TokenBatchTool
    var invocation: Invocation

    /// Writes a new P-256 key in Apple's `.p8` form to a file that must not exist yet.
    func generate() -> ExitStatus {
        let path = invocation.operand
        do {
            let key = try P256PrivateKey()
            var pem = try key.pkcs8PEM()
            defer { pem.eraseSecret() }
            let thumbprint = PublicKeyJWK(try key.publicKey()).thumbprint

            // A missing folder, such as the `keys/` of the README's example, is made for the
            // key, readable by its owner only.
            if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
                try SystemCalls.createDirectories(String(path[..<slash]))
            }
            try SystemCalls.writeNewFile(path, pem, mode: 0o600)
            tool.console.writeError(
                """
                Wrote \(path): a new P-256 private key (PKCS#8 PEM, mode 0600), thumbprint \(thumbprint).
                Apple does not know this key, so its tokens are well formed but rejected by Apple's servers.
                Use it to try tokenbatch; for real tokens use the .p8 file from your Apple Developer account.

                """)
            return .success
        } catch let error as SystemError where error.isExisting {
            tool.fail("\(error); keygen never overwrites a file")
            return .invalidInput
        } catch {
            tool.fail("could not make a key: \(error)")
            return .failure
        }
    }

    /// Prints the public part of the manifest's keys, as a JWK Set or as PEM.
    func printPublicKeys() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            tool.report(planning.diagnostics, sources: planning.sources)
            return .invalidInput
        }
        if let name = invocation.keyName, !plan.keys.contains(where: { $0.name == name }) {
            let names = plan.keys.map(\.name)
            let suggestion = NearestName.suggestion(for: name, among: names)
            tool.fail(
                "the manifest has no key named `\(name)` that a product uses"
                    + (suggestion.map { "; did you mean `\($0)`?" } ?? "; its keys are " + names.joined(separator: ", "))
            )
            return .invalidInput
        }

        let loaded = KeyLoader.loadKeys(of: plan, environment: tool.environment)
        tool.report(loaded.diagnostics, sources: planning.sources)
        var selected: [SigningKey] = []
        for (planned, key) in zip(plan.keys, loaded.keys)
        where invocation.keyName == nil || planned.name == invocation.keyName {
            guard let key else { return .invalidInput }
            selected.append(key)
        }

        switch invocation.keyFormat {
        case .jwks:
            let members = selected.map { "    " + PublicKeyJWK($0.publicKey).json(keyID: $0.keyID) }
            return tool.write("{\n  \"keys\": [\n" + members.joined(separator: ",\n") + "\n  ]\n}\n")
        case .pem:
            let blocks = selected.map { key in
                "# \(key.name), kid \(key.keyID), thumbprint \(key.thumbprint)\n\(key.publicKey.pem())"
            }
            return tool.write(blocks.joined())
        }
    }
}
