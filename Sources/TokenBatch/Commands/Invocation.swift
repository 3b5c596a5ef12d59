/// A command line, read into what the user asked for.
struct Invocation: Equatable {
    enum Command: String, CaseIterable {
        case apply
        case plan
    }

    enum Request: Equatable {
        case run(Command)
        case help(Command?)
        case version
    }

    var request: Request
    var manifest = ""
    /// Relative to the current folder.
    var outputDirectory = "output"
    /// `nil` means the system clock.
    var now: UnixTime?
    /// `nil` means one worker per core.
    var jobs: Int?

    static let valueOptions = ["--out-dir", "--now", "--jobs"]
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
        guard let first = arguments.first, first != "--help", first != "-h" else {
            request = .help(nil)
            return
        }
        if first == "help" {
            request = .help(arguments.dropFirst().first.flatMap(Command.init(rawValue:)))
            return
        }
        guard let command = Command(rawValue: first) else {
            let suggestion = NearestName.suggestion(for: first, among: Command.allCases.map(\.rawValue) + ["help"])
            throw UsageError(
                "unknown command `\(first)`",
                hint: suggestion.map { "did you mean `tokenbatch \($0)`?" } ?? "the commands are `apply` and `plan`")
        }
        if wantsHelp {
            request = .help(command)
            return
        }
        request = .run(command)

        var positional: [String] = []
        var remaining = arguments.dropFirst()[...]
        var onlyPositional = false
        while let argument = remaining.popFirst() {
            guard !onlyPositional, argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositional = true
                continue
            }

            let (name, inlineValue) = Self.split(argument)
            guard Self.valueOptions.contains(name) else {
                let suggestion = NearestName.suggestion(for: name, among: Self.valueOptions + Self.flagOptions)
                throw UsageError(
                    "unknown option `\(name)`",
                    hint: suggestion.map { "did you mean `\($0)`?" } ?? "see `tokenbatch help \(command.rawValue)`")
            }
            guard let value = inlineValue ?? remaining.popFirst() else {
                throw UsageError("option `\(name)` needs a value", hint: "write it as `\(name) VALUE`")
            }
            try apply(name, value)
        }

        guard positional.count == 1 else {
            throw UsageError(
                positional.isEmpty
                    ? "`\(command.rawValue)` needs a manifest"
                    : "`\(command.rawValue)` takes one manifest, but \(positional.count) were given",
                hint: "run `tokenbatch \(command.rawValue) manifests/example.yml`")
        }
        manifest = positional[0]
    }

    private mutating func apply(_ option: String, _ value: String) throws(UsageError) {
        switch option {
        case "--out-dir":
            guard !value.isEmpty else {
                throw UsageError("`--out-dir` is empty", hint: "give a folder, such as `output`")
            }
            outputDirectory = value
        case "--now":
            do {
                now = try UnixTime(commandLine: value)
            } catch {
                throw UsageError(
                    "`--now \(value)`: \(error.message)", hint: error.hint ?? "use RFC 3339 or Unix seconds")
            }
        default:
            guard let count = Int(value), (1...1024).contains(count) else {
                throw UsageError(
                    "`--jobs \(value)` is not a number of workers from 1 to 1024", hint: "such as `--jobs 2`")
            }
            jobs = count
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
