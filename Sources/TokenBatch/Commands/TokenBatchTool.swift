/// The command-line program: reads the arguments, runs one command, returns its exit status.
public struct TokenBatchTool: Sendable {
    public var console: Console
    public var environment: @Sendable (String) -> String?
    public var clock: @Sendable () -> UnixTime

    public init(
        console: Console, environment: @escaping @Sendable (String) -> String?,
        clock: @escaping @Sendable () -> UnixTime
    ) {
        self.console = console
        self.environment = environment
        self.clock = clock
    }

    /// The tool as the `tokenbatch` executable runs it: real streams, environment and clock.
    public static func standard() -> TokenBatchTool {
        let environment: @Sendable (String) -> String? = { SystemCalls.environmentVariable($0) }
        return TokenBatchTool(
            console: .standard(environment: environment), environment: environment,
            clock: { SystemCalls.currentTime() })
    }

    /// Runs the command `arguments` ask for; `arguments` exclude the program name.
    public func run(_ arguments: [String]) -> ExitStatus {
        let invocation: Invocation
        do {
            invocation = try Invocation(parsing: arguments)
        } catch {
            console.writeError(
                "tokenbatch: \(console.errorStyle.error("error")): \(error.message)\n  hint: \(error.hint)\n")
            return .usage
        }

        switch invocation.request {
        case .version:
            console.writeOutput(HelpText.version + "\n")
            return .success
        case .help(let command):
            console.writeOutput(HelpText.text(for: command))
            return .success
        case .run(.plan):
            return PlanCommand(tool: self, invocation: invocation).run()
        case .run(.apply):
            return ApplyCommand(tool: self, invocation: invocation).run()
        }
    }

    // MARK: - Shared steps

    /// Loads and plans the manifest, printing every problem; `nil` when there are errors.
    func loadPlan(_ invocation: Invocation) -> Plan? {
        var sources: [String: [UInt8]] = [:]
        do {
            let loaded = try ManifestLoader.load(path: invocation.manifest)
            sources[invocation.manifest] = loaded.source
            let plan = try Planner.plan(loaded.manifest, at: invocation.now ?? clock(), problems: loaded.problems)
            report(plan.warnings, sources: sources)
            return plan
        } catch {
            if sources.isEmpty,
                let bytes = try? SystemCalls.readFile(invocation.manifest, limit: ManifestLoader.maximumSize)
            {
                sources[invocation.manifest] = bytes
            }
            report(error.diagnostics, sources: sources)
            return nil
        }
    }

    func report(_ diagnostics: [Diagnostic], sources: [String: [UInt8]] = [:]) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(sources: sources, style: console.errorStyle)
        console.writeError(renderer.render(diagnostics.sortedForReport()))
    }

    func fail(_ message: String) {
        console.writeError("tokenbatch: \(console.errorStyle.error("error")): \(message)\n")
    }
}
