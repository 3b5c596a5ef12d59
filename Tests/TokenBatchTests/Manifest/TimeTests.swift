import Foundation
import Testing

@testable import TokenBatch

struct DurationTests {
    @Test(
        "Whole numbers with a unit",
        arguments: [
            ("90s", 90), ("15m", 900), ("12h", 43_200), ("30d", 2_592_000), ("2w", 1_209_600), ("1d", 86_400),
        ] as [(String, Int64)])
    func accepted(text: String, seconds: Int64) throws {
        #expect(try Duration(parsing: text).seconds == seconds)
    }

    @Test(
        "Every malformed duration is refused with its own explanation",
        arguments: [
            ("30", "has no unit"), ("1.5d", "has a fraction"), ("-5d", "is negative"), ("0d", "is zero"),
            ("30mo", "unknown unit"), ("1y", "unknown unit"), ("30 d", "has a space"), ("d", "is not a duration"),
            ("", "is empty"), ("+3d", "has a sign"), ("99999999999999999999d", "longer than 100 years"),
        ])
    func refused(text: String, explanation: String) {
        #expect {
            try Duration(parsing: text)
        } throws: { error in
            (error as? ValueProblem)?.message.contains(explanation) == true
        }
    }

    @Test("The description is the shortest exact spelling")
    func description() {
        #expect(Duration(seconds: 2_592_000).description == "30d")
        #expect(Duration(seconds: 129_600).description == "36h")
        #expect(Duration(seconds: 61).description == "61s")
    }
}

struct UnixTimeTests {
    @Test("RFC 3339 parsing agrees with Foundation's ISO 8601 parser on 2,000 random instants and offsets")
    func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)
            let offsetMinutes = Int.random(in: -14 * 60...14 * 60, using: &generator)
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))

            #expect(try UnixTime(rfc3339: text).seconds == seconds, "\(text)")
        }
    }

    @Test("Formatting agrees with Foundation for dates from 1970 to 2200")
    func formattingAgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: 0...7_258_118_400, using: &generator)
            #expect(
                UnixTime(seconds: seconds).rfc3339
                    == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }

    @Test("Leap days and month ends")
    func calendarEdges() throws {
        #expect(try UnixTime(rfc3339: "2028-02-29T00:00:00Z").seconds == 1_835_395_200)
        #expect(try UnixTime(dateOrRFC3339: "2027-06-30").rfc3339 == "2027-06-30T00:00:00Z")
        #expect(throws: ValueProblem.self) { try UnixTime(rfc3339: "2027-02-29T00:00:00Z") }
        #expect(throws: ValueProblem.self) { try UnixTime(rfc3339: "2100-02-29T00:00:00Z") }
        #expect(throws: ValueProblem.self) { try UnixTime(rfc3339: "2027-04-31T00:00:00Z") }
    }

    @Test(
        "Times that depend on the host or carry fractions are refused",
        arguments: [
            ("2027-03-01T00:00:00", "no time zone"), ("2027-03-01T00:00:00.5Z", "fraction"),
            ("2027-03-01", "not an RFC 3339"),
            ("2027-03-01T24:00:00Z", "not a real time"), ("2027-03-01T00:00:60Z", "not a real time"),
            ("2027-03-01T00:00:00+0200", "malformed offset"), ("03/01/2027", "not an RFC 3339"),
            ("2027-13-01T00:00:00Z", "calendar date"),
        ])
    func refused(text: String, explanation: String) {
        #expect {
            try UnixTime(rfc3339: text)
        } throws: { error in
            (error as? ValueProblem)?.message.contains(explanation) == true
        }
    }

    @Test("--now takes Unix seconds or RFC 3339, and refuses milliseconds")
    func commandLineValues() throws {
        #expect(try UnixTime(commandLine: "1437179036").seconds == 1_437_179_036)
        #expect(try UnixTime(commandLine: "2015-07-18T00:23:56Z").seconds == 1_437_179_036)
        #expect(throws: ValueProblem.self) { try UnixTime(commandLine: "1437179036000") }
    }

    @Test("Relative descriptions")
    func relative() {
        let now = UnixTime(seconds: 1_000_000)
        #expect(UnixTime(seconds: 1_000_000 + 30 * 86_400).relative(to: now) == "in 30 days")
        #expect(UnixTime(seconds: 1_000_000 - 3 * 3_600).relative(to: now) == "3 hours ago")
    }
}
