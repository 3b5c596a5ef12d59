/// Every check tokenbatch makes, each with a code that never changes meaning.
///
/// Codes are grouped by tens: YAML (TB00x), types and structure (TB01x), identifiers (TB02x),
/// scopes and origins (TB03x), time (TB04x), outputs (TB05x), keys (TB06x), the output
/// folder's history (TB07x).
/// `docs/diagnostics.md` has a page for each.
public enum Rule: String, Sendable, CaseIterable {
    case yamlSyntax = "TB001"
    case yamlEncoding = "TB002"
    case yamlSecondDocument = "TB003"
    case yamlDuplicateKey = "TB004"
    case yamlAlias = "TB005"
    case yamlMergeKey = "TB006"
    case yamlLimit = "TB007"
    case yamlEmpty = "TB008"
    case yamlTag = "TB009"

    case unknownKey = "TB010"
    case wrongType = "TB011"
    case missingKey = "TB012"
    case unsupportedVersion = "TB013"
    case noProducts = "TB014"
    case manifestUnreadable = "TB015"

    case teamID = "TB020"
    case keyID = "TB021"
    case keyIDEqualsTeamID = "TB022"
    case keySource = "TB023"
    case unknownKeyReference = "TB024"
    case keyName = "TB025"
    case unusedKey = "TB026"
    case keyFileName = "TB027"

    case unknownScope = "TB030"
    case scopeList = "TB031"
    case originRequired = "TB032"
    case originSyntax = "TB033"
    case duplicateOrigin = "TB034"
    case severalScopes = "TB035"
    case wildcardWithoutApex = "TB036"

    case durationSyntax = "TB040"
    case timeSyntax = "TB041"
    case lifetimeAndExpires = "TB042"
    case noLifetime = "TB043"
    case expiryNotAfterNow = "TB044"
    case renewalWindow = "TB045"
    case outlivesKey = "TB046"
    case lifetimeOverPolicy = "TB047"
    case backdateTooLong = "TB048"

    case productName = "TB050"
    case outputPath = "TB051"
    case outputCollision = "TB052"
    case variableName = "TB053"
    case outputFormat = "TB054"
    case fileMode = "TB055"
    case outputOverwritesInput = "TB056"

    case keyUnavailable = "TB060"
    case keyUnusable = "TB061"
    case keyFilePermissions = "TB062"

    case previousStateUnreadable = "TB070"

    /// The stable code, such as `TB004`.
    public var code: String { rawValue }

    /// Whether breaking the rule stops the run unless the diagnostic says otherwise.
    public var severity: Severity {
        switch self {
        case .unusedKey, .keyFileName, .severalScopes, .wildcardWithoutApex, .renewalWindow, .outlivesKey,
            .keyFilePermissions, .previousStateUnreadable:
            .warning
        default: .error
        }
    }
}
