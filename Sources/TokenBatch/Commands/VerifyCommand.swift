/// `tokenbatch verify`: read the tokens the outputs hold and check each against the manifest
/// and the key, for a scheduled check that alerts before anything breaks.
struct VerifyCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    func run() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            report(planning.diagnostics, sources: planning.sources)
            if invocation.reportFormat == .json { _ = tool.write(failureDocument(planning.diagnostics)) }
            return .invalidInput
        }
        // TODO: Accept the public keys alone (a JWK Set from `public-key`), so that a monitor
        // can verify without access to the private keys.
        let loaded = KeyLoader.loadKeys(of: plan, environment: tool.environment)
        let keys = loaded.keys.compactMap { $0?.publicKey }
        guard keys.count == plan.keys.count else {
            report(planning.diagnostics + loaded.diagnostics, sources: planning.sources)
            if invocation.reportFormat == .json {
                _ = tool.write(failureDocument(planning.diagnostics + loaded.diagnostics))
            }
            return .invalidInput
        }
        report(planning.diagnostics + loaded.diagnostics, sources: planning.sources)

        let verifier = DeploymentVerifier(plan: plan, keys: keys.map { $0 }, now: plan.now, within: invocation.within)
        // One .env file per product makes many small files: they are read and checked on
        // every core, and the results kept in the plan's order.
        let files = plan.files
        let command = self
        let results = ParallelLoop.map(files.count, jobs: SystemCalls.processorCount()) { number in
            let (found, problem) = command.read(files[number])
            return verifier.check(files[number], found: found, unreadable: problem)
        }.flatMap { $0 }

        let failed = results.filter { !$0.problems.isEmpty }
        let text =
            invocation.reportFormat == .json ? json(results, plan: plan) : self.text(results, failed: failed.count)
        let written = tool.write(text)
        return failed.isEmpty ? written : .invalidInput
    }

    /// Problems that stop or accompany the check: on standard error, or for `--format json`
    /// inside the document, whose readers want one document and nothing else.
    private func report(_ diagnostics: [Diagnostic], sources: [String: [UInt8]]) {
        if invocation.reportFormat != .json { tool.report(diagnostics, sources: sources) }
    }

    /// The JSON document of a check that could not run.
    private func failureDocument(_ diagnostics: [Diagnostic]) -> String {
        JSONValue.object([
            ("format", .string("tokenbatch.verify")),
            ("version", .integer(1)),
            ("valid", .bool(false)),
            ("diagnostics", DiagnosticEncodings.json(diagnostics.sortedForReport())),
            ("tokens", .array([])),
        ]).document
    }

    /// The tokens a file holds, by product for JSON and by variable for `.env`, or why the
    /// file is not a well-formed output: a reader must not get a different token than the
    /// one checked, so repeated entries and lines that are not assignments are failures.
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
            guard let document = try? JSONParser.parse(bytes), document["format"]?.stringValue == "tokenbatch.tokens",
                document["version"]?.integerValue == Int64(OutputRenderer.jsonFormatVersion),
                case .array(let entries)? = document["tokens"]
            else {
                return (nil, "\(path) is not a tokenbatch JSON output of version \(OutputRenderer.jsonFormatVersion)")
            }
            for entry in entries {
                guard let product = entry["product"]?.stringValue, let token = entry["token"]?.stringValue else {
                    return (nil, "\(path) has an entry without `product` or `token`")
                }
                guard found.updateValue(token, forKey: product) == nil else {
                    return (nil, "\(path) lists product `\(product)` twice")
                }
                if let mismatch = Self.metadataMismatch(entry, token: token) {
                    return (nil, "\(path): the entry of `\(product)` says \(mismatch)")
                }
            }
        case .env:
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                guard let equals = line.firstIndex(of: "="), Identifiers.isVariableName(String(line[..<equals])) else {
                    return (nil, "\(path) has a line that is not `NAME=token`")
                }
                guard
                    found.updateValue(String(line[line.index(after: equals)...]), forKey: String(line[..<equals]))
                        == nil
                else {
                    return (nil, "\(path) sets `\(line[..<equals])` twice")
                }
            }
        }
        return (found, nil)
    }

    /// The first member of a JSON output's entry that disagrees with its token's claims.
    private static func metadataMismatch(_ entry: JSONValue, token: String) -> String? {
        guard let decoded = try? DecodedToken(token), let claims = decoded.payload else { return nil }
        let pairs: [(String, JSONValue?, JSONValue?)] = [
            ("kid", entry["kid"], decoded.header["kid"]), ("iss", entry["iss"], claims["iss"]),
            ("scope", entry["scope"], claims["scope"]), ("origin", entry["origin"], claims["origin"] ?? .null),
            ("issued_at", entry["issued_at"], claims["iat"]), ("expires_at", entry["expires_at"], claims["exp"]),
        ]
        for (name, stated, actual) in pairs where stated != actual {
            let text = { (value: JSONValue?) in value?.indentedText(keepingRepeatedMembers: true) ?? "nothing" }
            return "`\(name)` \(text(stated)), but its token has \(text(actual))"
        }
        return nil
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
