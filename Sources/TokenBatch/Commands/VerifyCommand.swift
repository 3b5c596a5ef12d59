/// `tokenbatch verify`: read the tokens the outputs hold and check each against the manifest
/// and the key, for a scheduled check that alerts before anything breaks.
struct VerifyCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    func run() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            report(planning.diagnostics, sources: planning.sources)
            return .invalidInput
        }
        // TODO: Accept the public keys alone (a JWK Set from `public-key`), so that a monitor
        // can verify without access to the private keys.
        let loaded = KeyLoader.loadKeys(of: plan, environment: tool.environment)
        let keys = loaded.keys.compactMap { $0?.publicKey }
        guard keys.count == plan.keys.count else {
            report(planning.diagnostics + loaded.diagnostics, sources: planning.sources)
            return .invalidInput
        }
        report(planning.diagnostics + loaded.diagnostics, sources: planning.sources)

        let verifier = DeploymentVerifier(plan: plan, keys: keys.map { $0 }, now: plan.now, within: invocation.within)
        var results: [DeploymentVerifier.Result] = []
        for file in plan.files {
            let (found, problem) = read(file)
            results += verifier.check(file, found: found, unreadable: problem)
        }

        let failed = results.filter { !$0.problems.isEmpty }
        let text =
            invocation.reportFormat == .json ? json(results, plan: plan) : self.text(results, failed: failed.count)
        let written = tool.write(text)
        return failed.isEmpty ? written : .invalidInput
    }

    private func report(_ diagnostics: [Diagnostic], sources: [String: [UInt8]]) {
        if invocation.reportFormat != .json { tool.report(diagnostics, sources: sources) }
    }

    /// The tokens a file holds: by product for JSON, by variable for `.env`.
    private func read(_ file: PlannedFile) -> (found: [String: String]?, problem: String?) {
        let path = "\(invocation.outputDirectory)/\(file.path)"
        let bytes: [UInt8]
        do {
            bytes = try SystemCalls.readFile(path, limit: ManifestLoader.maximumSize * 4)
        } catch {
            return (nil, "\(error)")
        }

        var found: [String: String] = [:]
        switch file.format {
        case .json:
            guard case .array(let entries)? = (try? JSONParser.parse(bytes))?["tokens"] else {
                return (nil, "\(path) is not a tokenbatch JSON output")
            }
            for entry in entries {
                if let product = entry["product"]?.stringValue, let token = entry["token"]?.stringValue {
                    found[product] = token
                }
            }
        case .env:
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                found[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        return (found, nil)
    }

    private func text(_ results: [DeploymentVerifier.Result], failed: Int) -> String {
        var text = ""
        for result in results {
            let expiry = result.expiresAt.map { $0.relative(to: invocation.now ?? tool.clock()) } ?? ""
            if result.problems.isEmpty {
                text += "ok      \(result.file)  \(result.product)  expires \(expiry)\n"
            } else {
                for problem in result.problems {
                    text += "FAILED  \(result.file)  \(result.product): \(DiagnosticRenderer.visible(problem))\n"
                }
            }
        }
        text +=
            "\n\(results.count - failed) of \(results.count) token\(results.count == 1 ? "" : "s") verified"
            + (failed == 0 ? ".\n" : "; \(failed) failed.\n")
        return text
    }

    private func json(_ results: [DeploymentVerifier.Result], plan: Plan) -> String {
        let tokens: [JSONValue] = results.map { result in
            .object([
                ("file", .string(result.file)),
                ("product", .string(result.product)),
                ("expires_at", result.expiresAt.map { .integer($0.seconds) } ?? .null),
                ("problems", .array(result.problems.map { .string($0) })),
            ])
        }
        return JSONValue.object([
            ("format", .string("tokenbatch.verify")),
            ("version", .integer(1)),
            ("now", .integer(plan.now.seconds)),
            ("valid", .bool(results.allSatisfy { $0.problems.isEmpty })),
            ("tokens", .array(tokens)),
        ]).document
    }
}
