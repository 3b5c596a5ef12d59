/// A node of the manifest's YAML tree, with the place it was written.
///
/// Aliases are already resolved: an alias is a copy of its anchor's node (cheap, since the
/// arrays inside are shared), located at the alias.
struct YAMLNode: Sendable {
    enum Content: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    /// One entry of a mapping; keys are always scalars (the loader refuses any other key).
    struct Pair: Sendable {
        var key: Located<String>
        var value: YAMLNode
        /// A plain `<<`, which YAML 1.1 reads as a merge; already reported by the loader.
        var isMergeKey = false
    }

    var content: Content
    var location: SourceLocation

    /// How many nodes a full walk of this subtree visits, aliases counted at full size.
    /// Saturates instead of overflowing, so an alias bomb cannot wrap it around.
    var expandedSize: Int

    /// What a reader would call the node in a message: "text", "a list", "a mapping".
    var kindDescription: String {
        switch content {
        case .scalar(_, .plain) where isNull: "nothing (null)"
        case .scalar: "text"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// True for the plain scalars YAML 1.2's core schema reads as null: empty, `~`, `null`.
    var isNull: Bool {
        guard case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }
}
