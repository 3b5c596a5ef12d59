/// An instant as JWTs carry it: whole seconds since 1970-01-01T00:00:00Z, no leap seconds.
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    /// 9999-12-31T23:59:59Z, the last instant RFC 3339 can write.
    public static let latest = UnixTime(seconds: 253_402_300_799)

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.seconds < rhs.seconds }

    public static func + (time: UnixTime, duration: Duration) -> UnixTime {
        UnixTime(seconds: time.seconds + duration.seconds)
    }

    /// RFC 3339 in UTC, such as `2027-03-01T00:00:00Z`.
    public var description: String { rfc3339 }

    /// RFC 3339 in UTC, such as `2027-03-01T00:00:00Z`.
    public var rfc3339: String {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = CivilDate.fromDays(days)
        guard (0...9999).contains(year) else {
            return "\(year)-\(pad(month, 2))-\(pad(day, 2))T"
                + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
        }

        // Written digit by digit: output files hold two of these per token.
        var text: [UInt8] = Array("0000-00-00T00:00:00Z".utf8)
        func put(_ value: Int64, at end: Int, width: Int) {
            var rest = value
            for position in stride(from: end, to: end - width, by: -1) {
                text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(year, at: 3, width: 4)
        put(month, at: 6, width: 2)
        put(day, at: 9, width: 2)
        put(secondOfDay / 3600, at: 12, width: 2)
        put(secondOfDay / 60 % 60, at: 15, width: 2)
        put(secondOfDay % 60, at: 18, width: 2)
        return String(decoding: text, as: UTF8.self)
    }

    /// "in 30 days", "3 hours ago": how far this instant is from `now`, for people to read.
    public func relative(to now: UnixTime) -> String {
        let difference = seconds - now.seconds
        let magnitude = difference.magnitude
        let (count, unit): (UInt64, String) =
            switch magnitude {
            case ..<120: (magnitude, "second")
            case ..<7_200: (magnitude / 60, "minute")
            case ..<172_800: (magnitude / 3_600, "hour")
            default: (magnitude / 86_400, "day")
            }
        let phrase = "\(count) \(unit)\(count == 1 ? "" : "s")"
        return difference >= 0 ? "in \(phrase)" : "\(phrase) ago"
    }

    // MARK: - Reading

    /// Reads an RFC 3339 date-time with a `Z` or a numeric offset.
    ///
    /// A time without an offset is refused, so that the host's time zone never changes a
    /// token; a fraction of a second is refused, because tokens carry whole seconds.
    init(rfc3339 text: String) throws(ValueProblem) {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            let milliseconds = text.count >= 13 ? " (it looks like milliseconds since 1970)" : ""
            throw ValueProblem(
                "`\(text)` is a number, not a time\(milliseconds)",
                hint: "write an RFC 3339 time such as 2027-03-01T00:00:00Z")
        }
        let scalars = Array(text.utf8)
        guard scalars.count >= 19, scalars.count <= 40 else {
            throw Self.notATime(text)
        }
        let date = try Self.parseDate(scalars[0..<10], text: text)
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(scalars[10]),
            scalars[13] == UInt8(ascii: ":"), scalars[16] == UInt8(ascii: ":"),
            let hour = Self.number(scalars[11..<13]), let minute = Self.number(scalars[14..<16]),
            let second = Self.number(scalars[17..<19])
        else {
            throw Self.notATime(text)
        }
        guard hour < 24, minute < 60, second < 60 else {
            throw ValueProblem(
                "`\(text)` is not a real time of day",
                hint: "hours go to 23, minutes and seconds to 59 (leap seconds are not supported)")
        }

        var rest = scalars[19...]
        if rest.first == UInt8(ascii: ".") {
            throw ValueProblem(
                "`\(text)` has a fraction of a second", hint: "tokens carry whole seconds; remove the fraction")
        }
        let offset: Int64
        switch rest.first {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            rest = rest.dropFirst()
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = rest.first == UInt8(ascii: "+") ? 1 : -1
            guard rest.count == 6, rest[rest.startIndex + 3] == UInt8(ascii: ":"),
                let hours = Self.number(rest.dropFirst().prefix(2)),
                let minutes = Self.number(rest.dropFirst(4)), hours < 24, minutes < 60
            else {
                throw ValueProblem("`\(text)` has a malformed offset", hint: "write the offset as +HH:MM or -HH:MM")
            }
            rest = rest.dropFirst(6)
            offset = sign * (hours * 3_600 + minutes * 60)
        case nil:
            throw ValueProblem(
                "`\(text)` has no time zone",
                hint: "add `Z` for UTC or an offset such as +02:00, so the host's time zone cannot change it")
        default:
            throw Self.notATime(text)
        }
        guard rest.isEmpty else { throw Self.notATime(text) }

        let days = CivilDate.days(year: date.year, month: date.month, day: date.day)
        self.init(seconds: days * 86_400 + hour * 3_600 + minute * 60 + second - offset)
    }

    /// Reads a calendar date (`2027-06-30`, meaning its first second in UTC) or an RFC 3339
    /// date-time.
    init(dateOrRFC3339 text: String) throws(ValueProblem) {
        let scalars = Array(text.utf8)
        if scalars.count <= 10 {
            guard scalars.count == 10 else {
                throw ValueProblem(
                    "`\(text)` is not a date or an RFC 3339 time",
                    hint:
                        "write a date as 2027-06-30, with two-digit months and days, or a time as 2027-06-30T00:00:00Z")
            }
            let date = try Self.parseDate(scalars[...], text: text)
            self.init(seconds: CivilDate.days(year: date.year, month: date.month, day: date.day) * 86_400)
        } else {
            try self.init(rfc3339: text)
        }
    }

    /// Reads a `--now` value: Unix seconds, or an RFC 3339 date-time.
    public init(commandLine text: String) throws(ValueProblem) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard text.count <= 11, let seconds = Int64(text) else {
                throw ValueProblem(
                    "`\(text)` is too large for Unix seconds; it looks like milliseconds",
                    hint: "divide by 1000: tokens count whole seconds since 1970")
            }
            self.init(seconds: seconds)
        } else if text.hasPrefix("-"), text.dropFirst().allSatisfy(\.isNumber) {
            throw ValueProblem("`\(text)` is before 1970", hint: "tokens are issued after 1970-01-01T00:00:00Z")
        } else {
            try self.init(rfc3339: text)
            guard seconds >= 0 else {
                throw ValueProblem("`\(text)` is before 1970", hint: "tokens are issued after 1970-01-01T00:00:00Z")
            }
        }
    }

    private static func parseDate(_ scalars: ArraySlice<UInt8>, text: String) throws(ValueProblem) -> (
        year: Int64, month: Int64, day: Int64
    ) {
        let s = Array(scalars)
        guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
            let year = number(s[0..<4]), let month = number(s[5..<7]), let day = number(s[8..<10])
        else {
            throw notATime(text)
        }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else {
            throw ValueProblem("`\(text)` is not a real calendar date", hint: "check the month and the day")
        }
        return (year, month, day)
    }

    private static func number(_ digits: some Collection<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static func notATime(_ text: String) -> ValueProblem {
        ValueProblem(
            "`\(text)` is not an RFC 3339 time",
            hint: "write it as 2027-03-01T00:00:00Z, or with an offset such as +02:00")
    }
}

/// Conversions between proleptic Gregorian dates and days since 1970-01-01.
enum CivilDate {
    /// Days since 1970-01-01 of a date; months and days count from 1.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        // Count from 1 March of year 0, so that the leap day falls at the end of each year.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day counted from 1970-01-01.
    static func fromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}

/// Division that rounds towards negative infinity, with a remainder that is never negative.
func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    return (quotient, value - quotient * divisor)
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
