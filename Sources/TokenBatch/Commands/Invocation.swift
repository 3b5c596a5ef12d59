/// A command line, read into what the user asked for.
struct Invocation: Equatable {
    enum Command: String, CaseIterable {
        case apply
        case plan
        case keygen
        case publicKey = "public-key"
        case schema
        case inspect
        case verify

        /// The options that take a value and apply to this command.
        var valueOptions: [String] {
            switch self {
            case .apply: ["--out-dir", "--now", "--jobs"]
            // The same as `apply`, so that one can stand in for the other in a script.
            case .plan: ["--out-dir", "--now", "--jobs", "--format"]
            case .keygen, .schema: []
            case .publicKey: ["--key", "--format"]
            case .inspect: ["--key", "--now", "--format"]
            case .verify: ["--out-dir", "--now", "--within", "--format"]
            }
        }

        /// The options without a value that apply to this command.
        var flags: [String] {
            switch self {
            case .apply: ["--dry-run", "--strict", "--force"]
            case .plan: ["--strict", "--force", "--detailed-exitcode"]
            case .keygen, .publicKey, .schema, .inspect, .verify: []
            }
        }

        /// What the one operand is, for messages.
        var operand: String {
            switch self {
            case .keygen: "FILE"
            case .inspect: "TOKEN"
            default: "MANIFEST"
            }
        }
    }

    enum Request: Equatable {
        case run(Command)
        case help(Command?)
        /// No command at all: the overview goes to standard error, and the status is 2.
        case missingCommand
        case version
    }

    /// How `plan` reports: the diagnostics and the plan itself. `inspect` takes `text` and `json`.
    enum ReportFormat: String, CaseIterable {
        /// Compiler-style diagnostics on standard error, a table on standard output.
        case text
        /// One versioned JSON document on standard output (`docs/plan-format.md`).
        case json
        /// GitHub Actions workflow commands for the diagnostics, then the table.
        case github
        /// A Markdown summary for a pull-request comment.
        case markdown
    }

    /// How `public-key` prints keys.
    enum KeyFormat: String, CaseIterable {
        /// A JSON Web Key Set, each key with its `kid`.
        case jwks
        /// SubjectPublicKeyInfo PEM blocks.
        case pem
    }

    var request: Request
    /// The manifest, for `keygen` the file to create, for `inspect` the token, its file or `-`.
    var operand = ""
    /// Relative to the current folder.
    var outputDirectory = "output"
    /// `nil` means the system clock.
    var now: UnixTime?
    /// `nil` means one worker per core.
    var jobs: Int?
    /// `public-key`: the one key to print; `nil` means every key.
    var keyName: String?
    /// `inspect`: the key file to check the signature with; `nil` means no check.
    var keyFile: String?
    /// `verify`: tokens expiring within this window fail too.
    var within: Duration?
    var keyFormat = KeyFormat.jwks
    var reportFormat = ReportFormat.text
    /// `apply --dry-run`: plan only.
    var dryRun = false
    /// Warnings fail the run as errors do.
    var strict = false
    /// Sign every token anew, even those that could be kept.
    var force = false
    /// `plan`: exit 4 when `apply` would change something, 0 when it would not.
    var detailedExitCode = false

    static let flagOptions = ["--help", "-h", "--version"]

    /// Reads `arguments`, which exclude the program name.
    ///
    /// - Throws: `UsageError` naming the argument that is wrong.
    init(parsing arguments: [String]) throws(UsageError) {
        if arguments.contains("--version") {
            request = .version
            return
        }
        let wantsHelp = arguments.contains("--help") || arguments.contains("-h")
        guard let first = arguments.first else {
            request = .missingCommand
            return
        }
        if first == "--help" || first == "-h" {
            request = .help(nil)
            return
        }
        if first == "help" {
            guard let topic = arguments.dropFirst().first else {
                request = .help(nil)
                return
            }
            guard let command = Command(rawValue: topic) else {
                throw UsageError(
                    "there is no command `\(topic)`",
                    hint: "the commands are " + Command.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
            }
            request = .help(command)
            return
        }
        guard let command = Command(rawValue: first) else {
            let names = Command.allCases.map(\.rawValue)
            let suggestion = NearestName.suggestion(for: first, among: names + ["help"])
            throw UsageError(
                "unknown command `\(first)`",
                hint: suggestion.map { "did you mean `tokenbatch \($0)`?" }
                    ?? "the commands are " + names.map { "`\($0)`" }.joined(separator: ", "))
        }
        if wantsHelp {
            request = .help(command)
            return
        }
        request = .run(command)

        var operands: [String] = []
        var remaining = arguments.dropFirst()[...]
        var onlyOperands = false
        var given = Set<String>()
        while let argument = remaining.popFirst() {
            guard !onlyOperands, argument.hasPrefix("-"), argument != "-" else {
                operands.append(argument)
                continue
            }
            if argument == "--" {
                onlyOperands = true
                continue
            }

            if command.flags.contains(argument) {
                guard given.insert(argument).inserted else {
                    throw UsageError("option `\(argument)` is given twice", hint: "give it once")
                }
                switch argument {
                case "--dry-run": dryRun = true
                case "--force": force = true
                case "--detailed-exitcode": detailedExitCode = true
                default: strict = true
                }
                continue
            }
            let (name, inlineValue) = Self.split(argument)
            guard command.valueOptions.contains(name) else {
                let known = Command.allCases.flatMap { $0.valueOptions + $0.flags }
                let problem =
                    known.contains(name)
                    ? "option `\(name)` does not apply to `\(command.rawValue)`" : "unknown option `\(name)`"
                let candidates = command.valueOptions + command.flags + Self.flagOptions
                let suggestion = NearestName.suggestion(for: name, among: candidates)
                throw UsageError(
                    problem,
                    hint: suggestion.map { "did you mean `\($0)`?" } ?? "see `tokenbatch help \(command.rawValue)`")
            }
            guard let value = inlineValue ?? remaining.popFirst(), inlineValue != nil || !value.hasPrefix("--") else {
                throw UsageError("option `\(name)` needs a value", hint: "write it as `\(name) VALUE`")
            }
            guard given.insert(name).inserted else {
                throw UsageError("option `\(name)` is given twice", hint: "give it once")
            }
            try apply(name, value, for: command)
        }

        if command == .schema {
            guard operands.isEmpty else {
                throw UsageError("`schema` takes no operand", hint: "run `tokenbatch schema > tokenbatch.schema.json`")
            }
            return
        }
        guard operands.count == 1 else {
            let example =
                switch command {
                case .keygen: "keys/AuthKey_TEST000001.p8"
                case .inspect: "output/geocoder.env"
                default: "manifests/example.yml"
                }
            throw UsageError(
                operands.isEmpty
                    ? "`\(command.rawValue)` needs a \(command.operand.lowercased())"
                    : "`\(command.rawValue)` takes one \(command.operand.lowercased()), but \(operands.count) were given",
                hint: "run `tokenbatch \(command.rawValue) \(example)`")
        }
        operand = operands[0]
    }

    private mutating func apply(_ option: String, _ value: String, for command: Command) throws(UsageError) {
        switch option {
        case "--out-dir":
            guard !value.isEmpty else {
                throw UsageError("`--out-dir` is empty", hint: "give a folder, such as `output`")
            }
            outputDirectory = OutputSafety.plainSpelling(ofFolder: value)
        case "--now":
            do {
                now = try UnixTime(commandLine: value)
            } catch {
                throw UsageError(
                    "`--now \(value)`: \(error.message)", hint: error.hint ?? "use RFC 3339 or Unix seconds")
            }
        case "--jobs":
            guard let count = Int(value), (1...1024).contains(count) else {
                throw UsageError(
                    "`--jobs \(value)` is not a number of workers from 1 to 1024", hint: "such as `--jobs 2`")
            }
            jobs = count
        case "--within":
            do {
                within = try Duration(parsing: value)
            } catch {
                throw UsageError("`--within \(value)`: \(error.message)", hint: error.hint ?? "such as `--within 7d`")
            }
        case "--key" where command == .inspect:
            guard !value.isEmpty else {
                throw UsageError("`--key` is empty", hint: "give a PEM key, a JWK or a JWK Set file")
            }
            keyFile = value
        case "--key":
            keyName = value
        case "--format" where command == .publicKey:
            guard let format = KeyFormat(rawValue: value) else {
                throw UsageError(
                    "`--format \(value)` is not a key format",
                    hint: "use " + KeyFormat.allCases.map { "`\($0.rawValue)`" }.joined(separator: " or "))
            }
            keyFormat = format
        case "--format" where command == .inspect || command == .verify:
            guard let format = ReportFormat(rawValue: value), format == .text || format == .json else {
                throw UsageError(
                    "`--format \(value)` is not a format of `\(command.rawValue)`", hint: "use `text` or `json`")
            }
            reportFormat = format
        default:
            guard let format = ReportFormat(rawValue: value) else {
                throw UsageError(
                    "`--format \(value)` is not a report format",
                    hint: "use " + ReportFormat.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
            }
            reportFormat = format
        }
    }

    private static func split(_ argument: String) -> (name: String, value: String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// A command line that cannot be run as written; exit status 2.
struct UsageError: Error, Equatable {
    var message: String
    var hint: String

    init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }
}
