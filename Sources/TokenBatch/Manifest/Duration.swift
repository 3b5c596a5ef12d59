/// A length of time written in a manifest, such as `30d`: a whole number and one unit.
///
/// Months and years are not units: their length varies, and a token's lifetime must not.
public struct Duration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds; always positive.
    public let seconds: Int64

    /// The unit letters and their length in seconds, in the order the help text lists them.
    static let units: [(letter: Character, seconds: Int64, name: String)] = [
        ("s", 1, "seconds"),
        ("m", 60, "minutes"),
        ("h", 3_600, "hours"),
        ("d", 86_400, "days"),
        ("w", 604_800, "weeks"),
    ]

    static let unitList = "s (seconds), m (minutes), h (hours), d (days) or w (weeks)"

    public init(seconds: Int64) {
        precondition(seconds > 0, "a duration is positive")
        self.seconds = seconds
    }

    /// Reads `text` such as `90s`, `15m`, `12h`, `30d` or `2w`.
    ///
    /// - Throws: `ValueProblem` naming what is wrong: no unit, a fraction, a sign, zero, an
    ///   unknown unit, or a length beyond any sensible lifetime.
    init(parsing text: String) throws(ValueProblem) {
        guard !text.isEmpty else {
            throw ValueProblem("a duration is empty", hint: "write a number and a unit, such as 30d")
        }
        if text.hasPrefix("-") {
            throw ValueProblem("duration `\(text)` is negative", hint: "write a positive length such as 30d")
        }
        if text.hasPrefix("+") {
            throw ValueProblem("duration `\(text)` has a sign", hint: "write it without `+`")
        }

        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let rest = text.dropFirst(digits.count)
        if !digits.isEmpty, rest.first == ":", rest.dropFirst().allSatisfy({ $0 == ":" || ($0.isASCII && $0.isNumber) })
        {
            throw ValueProblem(
                "`\(text)` is not a duration; YAML 1.1 would even read it as a sexagesimal number",
                hint: "write a number and a unit, such as 90m for an hour and a half")
        }
        if digits.isEmpty {
            throw ValueProblem(
                "`\(text)` is not a duration",
                hint: "write a whole number and a unit: \(Self.unitList), such as 30d")
        }
        if rest.isEmpty {
            let large =
                digits.count >= 7
                ? "; if it counts seconds, write \(digits)s, and if milliseconds, divide by 1000 first" : ""
            throw ValueProblem(
                "duration `\(text)` has no unit",
                hint: "add a unit: \(Self.unitList); for example \(digits)d for \(digits) days\(large)")
        }
        if rest.first == " " || rest.first == "\t" {
            throw ValueProblem(
                "duration `\(text)` has a space between the number and the unit",
                hint: "write it without the space: `\(digits)\(rest.drop { $0 == " " || $0 == "\t" })`")
        }
        if rest.first == "." || rest.first == "," {
            throw ValueProblem(
                "duration `\(text)` has a fraction",
                hint: "use a whole number of a smaller unit, such as 36h instead of 1.5d")
        }
        guard rest.count == 1, let letter = rest.first,
            let unit = Self.units.first(where: { $0.letter == letter })
        else {
            let extra =
                rest.lowercased().hasPrefix("mo") || rest.lowercased().hasPrefix("y")
                ? "; months and years vary in length, so write days instead" : ""
            throw ValueProblem(
                "duration `\(text)` has an unknown unit `\(rest)`",
                hint: "use one of \(Self.unitList)\(extra)")
        }

        // A century is beyond any token. Refusing more keeps the arithmetic exact, and keeps
        // every `exp` far below 10^11, where a reader would take seconds for milliseconds.
        let limit: Int64 = 36_525 * 86_400
        guard let count = Int64(digits), count <= limit / unit.seconds else {
            throw ValueProblem(
                "duration `\(text)` is longer than 100 years (36525d)",
                hint: "no token should live that long; choose days or weeks")
        }
        guard count > 0 else {
            throw ValueProblem("duration `\(text)` is zero", hint: "a lifetime must be longer than nothing")
        }
        self.init(seconds: count * unit.seconds)
    }

    /// The shortest exact spelling in days, hours, minutes or seconds: `30d`, `36h`, `90s`.
    /// Weeks are read but not written, since people count lifetimes in days.
    public var description: String {
        for unit in Self.units.reversed() where unit.letter != "w" && seconds % unit.seconds == 0 {
            return "\(seconds / unit.seconds)\(unit.letter)"
        }
        return "\(seconds)s"
    }

    public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.seconds < rhs.seconds }
}
