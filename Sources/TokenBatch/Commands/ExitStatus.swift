/// The process's exit status; part of the contract pipelines rely on.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// The manifest, a key or a token is wrong.
    case invalidInput = 1
    /// The command line is wrong.
    case usage = 2
    /// Anything else failed: a file could not be written, signing failed.
    case failure = 3
    /// `plan --detailed-exitcode`: the manifest is valid and `apply` would change something.
    case changesPending = 4
}
