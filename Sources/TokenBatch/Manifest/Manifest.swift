/// A manifest as written, typed and located, before defaults are applied or rules checked.
///
/// Values are optional wherever a manifest may leave them out or get them wrong: the decoder
/// reports what is missing or malformed, and the planner checks whatever is present, so that
/// one run reports every problem.
public struct Manifest: Sendable {
    /// The manifest's path as given on the command line; used in every location.
    public var file: String

    /// The folder key files are relative to.
    public var directory: String

    public var version: Located<Int>?
    public var teamID: Located<String>?
    public var keys: [KeyDefinition] = []
    public var defaults = ProductSettings()
    public var products: [ProductDefinition] = []
    /// Whether `products` is written but empty; a `products` that is wrong in another way, or
    /// whose entries are all wrong, has been reported already.
    public var listsNoProducts = false
    public var outputs: [OutputDefinition] = []
    /// The longest lifetime any token may have, when the team sets one.
    public var maximumLifetime: Located<Duration>?
    /// How far to move `iat` back from the time of signing, for clock skew.
    public var backdate: Located<Duration>?

    /// The start of the document, for problems about something that is missing.
    public var start: SourceLocation

    public init(file: String, directory: String, start: SourceLocation) {
        self.file = file
        self.directory = directory
        self.start = start
    }
}

/// A signing key a manifest names: its Key ID and where its private part is found.
public struct KeyDefinition: Sendable {
    public enum Source: Sendable, Equatable {
        /// A PEM file, relative to the manifest's folder unless absolute.
        case file(String)
        /// An environment variable holding the PEM text.
        case environment(String)
    }

    public var name: Located<String>
    public var kid: Located<String>?
    public var source: Located<Source>?

    /// The first instant the key must no longer be in use.
    public var retireOn: Located<UnixTime>?
}

/// The settings a product may set, and `defaults` may give to every product.
public struct ProductSettings: Sendable {
    public var key: Located<String>?
    public var scopes: Located<[Located<String>]>?
    public var origins: Located<[Located<String>]>?
    public var lifetime: Located<Duration>?
    public var expires: Located<UnixTime>?
    public var renewBefore: Located<Duration>?

    /// Fields that are present but could not be read, already reported; the planner does not
    /// call them missing as well.
    public var unreadable: Set<String> = []

    /// The keys these settings are written under, in the order the documentation lists them.
    static let fieldNames = ["key", "scopes", "origins", "lifetime", "expires", "renew_before"]

    public init() {}
}

/// One product: a name and the settings it gives itself.
public struct ProductDefinition: Sendable {
    public var name: Located<String>
    public var settings: ProductSettings
}

/// What to write from a run.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Every token with its metadata, in one JSON document.
    case json
    /// `VARIABLE=token` lines, for docker, systemd, shells and dotenv readers.
    case env
}

/// One `outputs` entry.
public struct OutputDefinition: Sendable {
    public var format: Located<OutputFormat>?
    /// Relative to the output folder; may contain `{product}`.
    public var path: Located<String>?
    /// The variable name of an `env` output; may contain `{product}`.
    public var variable: Located<String>?
    /// Permission bits for the written files; 0600 unless set.
    public var mode: Located<UInt16>?
    public var start: SourceLocation
}
