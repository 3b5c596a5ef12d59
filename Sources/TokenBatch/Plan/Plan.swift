/// Everything `apply` will do, decided before any key is touched: one token per product, the
/// keys they need and the files they go to.
public struct Plan: Sendable {
    /// The manifest's path as given on the command line.
    public var manifestFile: String

    /// The clock the plan was made at: the `iat` of every token.
    public var now: UnixTime

    /// One token per product, in manifest order.
    public var tokens: [TokenSpec]

    /// The keys the tokens use, in manifest order; unused keys are left out.
    public var keys: [PlannedKey]

    /// Every file to write, in the order of `outputs`, then of products.
    public var files: [PlannedFile]

    /// Problems worth knowing about that do not stop the run.
    public var warnings: [Diagnostic]
}

/// The header and claims of one token, and where it comes from.
public struct TokenSpec: Sendable, Equatable {
    public var product: String
    /// Index into `Plan.keys`.
    public var keyIndex: Int
    /// The header's `kid`.
    public var keyID: String
    /// The `iss` claim: the Team ID.
    public var issuer: String
    /// The `iat` claim.
    public var issuedAt: UnixTime
    /// The `exp` claim.
    public var expiresAt: UnixTime
    /// Written space-separated as the `scope` claim.
    public var scopes: [String]
    /// Written comma-separated as the `origin` claim; empty means no `origin` claim.
    public var origins: [String]
    /// How long before expiry a later `apply` should renew the token.
    public var renewBefore: Duration?
    /// True when the manifest fixes `exp` with `expires`, rather than a lifetime from `iat`.
    public var hasFixedExpiry = false

    /// The `scope` claim.
    public var scope: String { scopes.joined(separator: " ") }

    /// The `origin` claim, or `nil` when the token has none.
    public var origin: String? { origins.isEmpty ? nil : origins.joined(separator: ",") }

    public var lifetime: Duration { Duration(seconds: expiresAt.seconds - issuedAt.seconds) }
}

/// A key the plan uses, and where to find its private part.
public struct PlannedKey: Sendable, Equatable {
    public var name: String
    public var keyID: String
    public var source: KeyDefinition.Source
    /// A key file's path resolved against the manifest's folder.
    public var resolvedPath: String?
    /// Where the manifest defines the key, for messages about it.
    public var location: SourceLocation
}

/// One file an `apply` writes, relative to the output folder.
public struct PlannedFile: Sendable, Equatable {
    public var path: String
    public var format: OutputFormat
    /// Permission bits, applied whatever the umask.
    public var mode: UInt16
    /// The tokens the file holds, as indices into `Plan.tokens`.
    public var tokenIndices: [Int]
    /// For `env` files, the variable name of each token, parallel to `tokenIndices`.
    public var variables: [String]
    /// Where the manifest sets the output's `path`.
    public var location: SourceLocation
}
