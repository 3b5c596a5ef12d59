/// `tokenbatch plan`: check the manifest and show the tokens `apply` would sign, without keys.
struct PlanCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    func run() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        var diagnostics = planning.diagnostics
        var thumbprints: [String?] = []
        var changes: ChangeSet?
        // Every token is kept, yet files may still differ: an output renamed, a file deleted.
        var filesPending = false
        if let plan = planning.plan {
            // Keys are checked when they are present; a pull request usually has none, and
            // then `apply`'s need for them is only a warning.
            let keys = KeyLoader.loadKeys(of: plan, environment: tool.environment, missingIsWarning: true)
            diagnostics += keys.diagnostics
            diagnostics += OutputSafety.overwrites(in: plan, outputDirectory: invocation.outputDirectory)
            thumbprints = keys.keys.map { $0?.thumbprint }

            let previous = PreviousRun.readOrWarn(from: invocation.outputDirectory, into: &diagnostics)
            let verifier = DeploymentVerifier(
                plan: plan, keys: keys.keys.map { $0?.publicKey }, now: plan.now, within: nil)
            let changeSet = ChangeSet(
                plan: plan, previous: previous, thumbprints: thumbprints, force: invocation.force,
                check: { spec, token in verifier.problems(of: token, against: spec) })
            changes = changeSet
            let asked = invocation.detailedExitCode || invocation.reportFormat == .json
            filesPending =
                asked && !changeSet.hasChanges
                && Self.outputsDiffer(
                    plan: plan, changes: changeSet, previous: previous, thumbprints: thumbprints,
                    directory: invocation.outputDirectory)
        }
        diagnostics = diagnostics.sortedForReport()

        let failed = diagnostics.hasErrors || (invocation.strict && !diagnostics.isEmpty)
        let plan = failed ? nil : planning.plan
        let report = PlanReport(
            manifest: invocation.operand, plan: plan, changes: changes, filesPending: filesPending,
            diagnostics: diagnostics,
            thumbprints: thumbprints, outputDirectory: invocation.outputDirectory)

        // Machines read standard output; people read standard error, except for JSON, whose
        // readers want one document and nothing else.
        if invocation.reportFormat != .json { tool.report(diagnostics, sources: planning.sources) }
        let output: String =
            switch invocation.reportFormat {
            case .text: plan == nil ? "" : report.table()
            case .json: report.json()
            case .github: DiagnosticEncodings.githubCommands(diagnostics) + (plan == nil ? "" : report.table())
            case .markdown: report.markdown()
            }
        let written = tool.write(output)
        if failed { return .invalidInput }
        if written == .success, invocation.detailedExitCode, changes?.hasChanges == true || filesPending {
            return .changesPending
        }
        return written
    }

    /// Whether `apply` would write or delete a file although it keeps every token: the files
    /// are then known byte for byte, and are compared with those on disk.
    private static func outputsDiffer(
        plan: Plan, changes: ChangeSet, previous: PreviousRun, thumbprints: [String?], directory: String
    ) -> Bool {
        var finalPlan = plan
        finalPlan.tokens = changes.specs
        let tokens = changes.keptTokens.map { $0 ?? "" }
        // Without a key here, the kept tokens' own record says which thumbprint signed them.
        let recorded = plan.keys.indices.map { index in
            thumbprints[index]
                ?? changes.specs.first { $0.keyIndex == index }.flatMap { previous.tokens[$0.product]?.keyThumbprint }
                ?? ""
        }
        let planned = Set(plan.files.map(\.path) + [PreviousRun.stateFileName])
        if previous.files.contains(where: { !planned.contains($0) }) { return true }
        let files = OutputSet.files(plan: finalPlan, tokens: tokens, thumbprints: recorded, pendingRemovals: [])
        return files.contains { !OutputWriter.isAlreadyWritten($0, in: directory) }
    }
}
