/// Parses a `WWW-Authenticate` value into challenges (RFC 9110 §11.6.1): scheme names
/// case-insensitively, `auth-param`s with token or quoted-string values. Used by tests
/// and by anything that reads the challenges of a peer.
public enum ChallengeParser {
    public struct Challenge: Sendable, Hashable {
        /// Lowercased scheme, e.g. `bearer`.
        public var scheme: String
        /// Parameters by lowercased name (the last value when a name repeats).
        public var parameters: [String: String]
        /// True when a parameter name appears twice (invalid in a challenge).
        public var duplicateParameters: Bool
    }

    public enum Failure: Error, Sendable, Hashable {
        case malformed(at: Int)
    }

    public static func parse(_ header: String) throws(Failure) -> [Challenge] {
        var scanner = Scanner(Array(header.unicodeScalars))
        var challenges: [Challenge] = []
        scanner.skip(whitespaceAndCommas: true)
        while !scanner.atEnd {
            guard let scheme = scanner.token() else { throw .malformed(at: scanner.index) }
            var challenge = Challenge(scheme: scheme.lowercased(), parameters: [:], duplicateParameters: false)
            scanner.skipSpaces()
            // token68 form is not used by Bearer challenges; parameters follow.
            while !scanner.atEnd {
                let mark = scanner.index
                guard let name = scanner.token() else { break }
                scanner.skipSpaces()
                guard scanner.consume("=") else {
                    // Not a parameter: the start of the next challenge.
                    scanner.index = mark
                    break
                }
                scanner.skipSpaces()
                guard let value = scanner.quotedString() ?? scanner.token() else { throw .malformed(at: scanner.index) }
                let key = name.lowercased()
                if challenge.parameters[key] != nil { challenge.duplicateParameters = true }
                challenge.parameters[key] = value
                scanner.skipSpaces()
                if !scanner.consume(",") { break }
                scanner.skipSpaces()
            }
            challenges.append(challenge)
            scanner.skip(whitespaceAndCommas: true)
        }
        return challenges
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }

        static let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)

        static func isToken(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || tokenSymbols.contains(scalar))
        }

        mutating func skipSpaces() {
            while !atEnd, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        }

        mutating func skip(whitespaceAndCommas: Bool) {
            while !atEnd, [" ", "\t", ","].contains(scalars[index]) { index += 1 }
        }

        mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
            guard !atEnd, scalars[index] == scalar else { return false }
            index += 1
            return true
        }

        mutating func token() -> String? {
            let start = index
            while !atEnd, Self.isToken(scalars[index]) { index += 1 }
            return index > start ? String(String.UnicodeScalarView(scalars[start..<index])) : nil
        }

        mutating func quotedString() -> String? {
            guard consume("\"") else { return nil }
            var value = String.UnicodeScalarView()
            while !atEnd {
                let scalar = scalars[index]
                index += 1
                if scalar == "\"" { return String(value) }
                if scalar == "\\", !atEnd {
                    value.append(scalars[index])
                    index += 1
                } else {
                    value.append(scalar)
                }
            }
            return nil
        }
    }
}
