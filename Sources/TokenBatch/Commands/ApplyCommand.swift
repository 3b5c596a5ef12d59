/// `tokenbatch apply`: plan, load the keys, compare with the previous run, sign what is due,
/// and write the outputs that change.
struct ApplyCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    /// Products listed by name in the summary; beyond this, only counts.
    static let summaryLimit = 20

    func run() -> ExitStatus {
        let started = SystemCalls.monotonicSeconds()
        let directory = invocation.outputDirectory
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            tool.report(planning.diagnostics, sources: planning.sources)
            return .invalidInput
        }

        let loaded = KeyLoader.loadKeys(of: plan, environment: tool.environment)
        let overwrites = OutputSafety.overwrites(in: plan, outputDirectory: directory)
        var diagnostics = planning.diagnostics + loaded.diagnostics + overwrites
        let keys = loaded.keys.compactMap { $0 }
        guard keys.count == plan.keys.count, !diagnostics.hasErrors else {
            tool.report(diagnostics, sources: planning.sources)
            return .invalidInput
        }

        // Two runs on one folder must not interleave; the lock lasts until `lock` is released.
        let lock: FileLock
        do {
            // A link planted in place of the output folder would send every token elsewhere.
            if let link = OutputSafety.linkReachingOutputFolder(directory) {
                throw SystemError.outputFolderIsLink(link)
            }
            try SystemCalls.createDirectories(directory)
            lock = try SystemCalls.lockDirectory(directory)
        } catch {
            tool.report(diagnostics, sources: planning.sources)
            tool.fail("\(error); nothing was written")
            return .failure
        }
        defer { withExtendedLifetime(lock) {} }

        let previous = PreviousRun.readOrWarn(from: directory, into: &diagnostics)
        tool.report(diagnostics, sources: planning.sources)
        guard !(invocation.strict && !diagnostics.isEmpty) else { return .invalidInput }
        let thumbprints = keys.map(\.thumbprint)
        let verifier = DeploymentVerifier(plan: plan, keys: keys.map(\.publicKey), now: plan.now, within: nil)
        let changes = ChangeSet(
            plan: plan, previous: previous, thumbprints: thumbprints, force: invocation.force,
            check: { spec, token in verifier.problems(of: token, against: spec) })

        let tokens: [String]
        do {
            tokens = try sign(changes, keys: keys)
        } catch {
            tool.fail("signing failed, so nothing was written: \(error)")
            return .failure
        }

        var finalPlan = plan
        finalPlan.tokens = changes.specs
        let planned = Set(plan.files.map(\.path) + [PreviousRun.stateFileName])
        let stale = previous.files.filter { !planned.contains($0) }
        let files = OutputSet.files(plan: finalPlan, tokens: tokens, thumbprints: thumbprints, pendingRemovals: stale)

        var outcome: OutputWriter.Outcome
        do {
            let inputs = OutputSafety.inputs(of: plan)
            outcome = try OutputWriter.replace(files, in: directory, removing: stale, protecting: inputs)
            // The state listed the files still to delete; now that they are gone, it need not.
            if !stale.isEmpty {
                let state = OutputSet.state(
                    plan: finalPlan, tokens: tokens, thumbprints: thumbprints, pendingRemovals: [])
                try OutputWriter.replace([state], in: directory)
            }
        } catch {
            tool.fail(
                error.partlyReplaced
                    ? "\(error.reason); some outputs were already replaced, so run apply again once it is fixed"
                    : "\(error.reason); the previous outputs are unchanged")
            return .failure
        }

        tool.console.writeError(
            summary(changes, plan: finalPlan, outcome: outcome, seconds: SystemCalls.monotonicSeconds() - started))
        return .success
    }

    /// The final token of every product: kept ones as they were, the rest signed now.
    private func sign(_ changes: ChangeSet, keys: [SigningKey]) throws -> [String] {
        let due = changes.keptTokens.indices.filter { changes.keptTokens[$0] == nil }
        let jobs = invocation.jobs ?? SystemCalls.processorCount()
        var report: (@Sendable (Int) -> Void)?
        var reporter: ProgressReporter?
        if tool.console.errorIsTerminal {
            let progress = ProgressReporter(total: due.count, write: tool.console.writeError)
            report = { progress.advance(by: $0) }
            reporter = progress
        }
        let signed = try SigningPool.sign(due.map { changes.specs[$0] }, keys: keys, jobs: jobs, progress: report)
        reporter?.finish()

        var tokens = changes.keptTokens.map { $0 ?? "" }
        for (position, index) in due.enumerated() { tokens[index] = signed[position] }
        return tokens
    }

    /// What happened to each product and file; no token appears in it.
    private func summary(_ changes: ChangeSet, plan: Plan, outcome: OutputWriter.Outcome, seconds: Double) -> String {
        let style = tool.console.errorStyle
        let counts = ChangeSet.Action.allCases.map { "\($0.rawValue) \(changes.count($0))" }.joined(separator: ", ")
        let milliseconds = Int((seconds * 1000).rounded())
        var text = style.bold("Applied \(plan.manifestFile) in \(milliseconds) ms: \(counts)") + "\n"

        // What changed comes first: a run that renews one token among thousands kept names it.
        let all = changes.changes
        let changedFirst =
            all.indices.filter { all[$0].action != .keep } + all.indices.filter { all[$0].action == .keep }
        let listed = changedFirst.prefix(Self.summaryLimit)
        let width = listed.map { all[$0].product.count }.max() ?? 0
        for index in listed {
            let change = all[index]
            let name = change.product + String(repeating: " ", count: width - change.product.count)
            // The first changes are the plan's tokens in order; removals follow and expire nothing.
            let expiry = index < plan.tokens.count ? "  expires \(plan.tokens[index].expiresAt.rfc3339)" : ""
            text += "  \(change.action.rawValue.padding(6))  \(name)\(expiry)  (\(change.reason))\n"
        }
        if all.count > listed.count {
            let allChangesListed = all.count - changes.count(.keep) <= listed.count
            text += "  … and \(all.count - listed.count) more\(allChangesListed ? ", all kept" : "")\n"
        }

        text +=
            "Files in \(invocation.outputDirectory)/: \(outcome.written.count) written, "
            + "\(outcome.unchanged.count) unchanged, \(outcome.removed.count) removed\n"
        return text
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}

extension PreviousRun {
    /// The previous run's state, or an empty one after adding a warning that it was unusable.
    static func readOrWarn(from directory: String, into diagnostics: inout [Diagnostic]) -> PreviousRun {
        do {
            return try read(from: directory)
        } catch {
            diagnostics.append(
                Diagnostic(
                    .previousStateUnreadable, at: nil,
                    "the state of the previous run cannot be used: \(error.message)",
                    hint: "every token is treated as new; the next run writes a fresh state file"))
            return PreviousRun()
        }
    }
}
