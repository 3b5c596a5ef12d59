/// `tokenbatch plan`: check the manifest and show the tokens `apply` would sign, without keys.
struct PlanCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    func run() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        var diagnostics = planning.diagnostics
        var thumbprints: [String?] = []
        var changes: ChangeSet?
        if let plan = planning.plan {
            // Keys are checked when they are present; a pull request usually has none, and
            // then `apply`'s need for them is only a warning.
            let keys = KeyLoader.loadKeys(of: plan, environment: tool.environment, missingIsWarning: true)
            diagnostics += keys.diagnostics
            diagnostics += OutputSafety.overwrites(in: plan, outputDirectory: invocation.outputDirectory)
            thumbprints = keys.keys.map { $0?.thumbprint }

            let previous = PreviousRun.readOrWarn(from: invocation.outputDirectory, into: &diagnostics)
            changes = ChangeSet(plan: plan, previous: previous, thumbprints: thumbprints, force: invocation.force)
        }
        diagnostics = diagnostics.sortedForReport()

        let failed = diagnostics.hasErrors || (invocation.strict && !diagnostics.isEmpty)
        let plan = failed ? nil : planning.plan
        let report = PlanReport(
            manifest: invocation.operand, plan: plan, changes: changes, diagnostics: diagnostics,
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
        if written == .success, invocation.detailedExitCode, changes?.hasChanges == true { return .changesPending }
        return written
    }
}
