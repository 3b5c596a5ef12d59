/// `tokenbatch apply`: plan, load the keys, sign every token, write every output.
struct ApplyCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    /// Products listed by name in the summary; beyond this, only a count.
    static let summaryLimit = 20

    func run() -> ExitStatus {
        let started = SystemCalls.monotonicSeconds()
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            tool.report(planning.diagnostics, sources: planning.sources)
            return .invalidInput
        }

        let loaded = KeyLoader.loadKeys(of: plan, environment: tool.environment)
        let overwrites = OutputSafety.overwrites(in: plan, outputDirectory: invocation.outputDirectory)
        let diagnostics = planning.diagnostics + loaded.diagnostics + overwrites
        tool.report(diagnostics, sources: planning.sources)
        let keys = loaded.keys.compactMap { $0 }
        let refusedWarnings = invocation.strict && !diagnostics.isEmpty
        guard keys.count == plan.keys.count, !diagnostics.hasErrors, !refusedWarnings else { return .invalidInput }

        let tokens: [String]
        do {
            let jobs = invocation.jobs ?? SystemCalls.processorCount()
            tokens = try SigningPool.sign(plan.tokens, keys: keys, jobs: jobs)
        } catch {
            tool.fail("signing failed, so nothing was written: \(error)")
            return .failure
        }

        let thumbprints = keys.map(\.thumbprint)
        let files = plan.files.map { file in
            OutputWriter.File(
                path: file.path,
                bytes: OutputRenderer.render(file, plan: plan, tokens: tokens, thumbprints: thumbprints),
                mode: file.mode)
        }
        do {
            try OutputWriter.replace(files, in: invocation.outputDirectory)
        } catch {
            tool.fail("\(error); the previous outputs are unchanged")
            return .failure
        }

        tool.console.writeError(summary(plan, seconds: SystemCalls.monotonicSeconds() - started))
        return .success
    }

    /// What was signed, for which product, expiring when; no token appears in it.
    private func summary(_ plan: Plan, seconds: Double) -> String {
        let style = tool.console.errorStyle
        let count = plan.tokens.count
        let milliseconds = Int((seconds * 1000).rounded())
        var text = style.bold("Signed \(count) token\(count == 1 ? "" : "s") in \(milliseconds) ms") + "\n"

        let listed = plan.tokens.prefix(Self.summaryLimit)
        let nameWidth = listed.map(\.product.count).max() ?? 0
        let scopeWidth = listed.map(\.scope.count).max() ?? 0
        for token in listed {
            let name = token.product + String(repeating: " ", count: nameWidth - token.product.count)
            let scope = token.scope + String(repeating: " ", count: scopeWidth - token.scope.count)
            text +=
                "  \(name)  \(scope)  kid \(token.keyID)  expires \(token.expiresAt.rfc3339) "
                + "(\(token.expiresAt.relative(to: plan.now)))\n"
        }
        if count > listed.count {
            text += "  … and \(count - listed.count) more\n"
        }

        let names = plan.files.prefix(5).map(\.path).joined(separator: ", ")
        let more = plan.files.count > 5 ? " and \(plan.files.count - 5) more" : ""
        let files = "\(plan.files.count) file\(plan.files.count == 1 ? "" : "s")"
        text += "Wrote \(files) to \(invocation.outputDirectory)/: \(names)\(more)\n"
        return text
    }
}
