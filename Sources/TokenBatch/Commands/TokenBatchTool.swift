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
            return write(HelpText.version + "\n")
        case .help(let command):
            return write(HelpText.text(for: command))
        case .missingCommand:
            console.writeError(HelpText.text(for: nil))
            return .usage
        case .run(.plan):
            return PlanCommand(tool: self, invocation: invocation).run()
        case .run(.apply) where invocation.dryRun:
            return PlanCommand(tool: self, invocation: invocation).run()
        case .run(.apply):
            return ApplyCommand(tool: self, invocation: invocation).run()
        case .run(.keygen):
            return KeyCommands(tool: self, invocation: invocation).generate()
        case .run(.publicKey):
            return KeyCommands(tool: self, invocation: invocation).printPublicKeys()
        case .run(.verify):
            return VerifyCommand(tool: self, invocation: invocation).run()
        case .run(.schema):
            return write(ManifestSchema.text)
        case .run(.inspect):
            return InspectCommand(tool: self, invocation: invocation).run()
        }
    }

    // MARK: - Shared steps

    /// A manifest planned, or the problems that stopped it, with the text they point into.
    struct PlanningOutcome {
        var plan: Plan?
        /// Errors, or the plan's warnings.
        var diagnostics: [Diagnostic]
        /// The manifest's text by file name, for quoting lines in messages.
        var sources: [String: [UInt8]]
    }

    /// Reads, loads and plans the manifest; prints nothing.
    func makePlan(_ invocation: Invocation) -> PlanningOutcome {
        let bytes: [UInt8]
        do {
            bytes = try ManifestLoader.read(path: invocation.operand)
        } catch {
            return PlanningOutcome(plan: nil, diagnostics: error.diagnostics, sources: [:])
        }

        let sources = [invocation.operand: bytes]
        do {
            let loaded = try ManifestLoader.load(bytes: bytes, file: invocation.operand)
            let plan = try Planner.plan(loaded.manifest, at: invocation.now ?? clock(), problems: loaded.problems)
            return PlanningOutcome(plan: plan, diagnostics: plan.warnings, sources: sources)
        } catch {
            return PlanningOutcome(plan: nil, diagnostics: error.diagnostics, sources: sources)
        }
    }

    /// Prints `diagnostics` on standard error, errors first, with a closing count.
    func report(_ diagnostics: [Diagnostic], sources: [String: [UInt8]]) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(sources: sources, style: console.errorStyle)
        console.writeError(renderer.render(diagnostics.sortedForReport()))
    }

    /// Writes a command's result on standard output, and fails the run if that is impossible.
    func write(_ text: String) -> ExitStatus {
        guard console.writeOutput(text) else {
            fail("cannot write to standard output")
            return .failure
        }
        return .success
    }

    func fail(_ message: String) {
        console.writeError("tokenbatch: \(console.errorStyle.error("error")): \(message)\n")
    }
}
