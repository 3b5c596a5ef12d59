/// Why bytes that should hold an Apple private key cannot be used to sign.
public enum KeyProblem: Error, Sendable, Equatable {
    /// OpenSSL could not read a private key at all; the reason is OpenSSL's.
    case unreadable(String)
    /// A private key of another algorithm, such as RSA or ED25519.
    case wrongAlgorithm(String)
    /// An EC key on another curve than P-256, such as secp256k1 or secp384r1.
    case wrongCurve(String)
    /// A P-256 key whose private value is out of range or does not match its public key.
    case invalidKey
    /// More than one private key in one file or variable.
    case severalKeys(Int)
    /// The PEM text is encrypted; tokenbatch never asks for a password.
    case encrypted
    /// A PEM block of another kind where a private key belongs: a public key, a certificate.
    case notAPrivateKey(String)
    /// Text with no PEM armour at all.
    case notPEM
    /// A BEGIN line without the END line that closes it: the text was cut off.
    case truncated
    /// Base64 without the BEGIN and END lines around it.
    case bareBase64
    /// OpenSSH's own private key format, which is not PEM inside.
    case openSSHFormat
    /// The file or variable holds nothing.
    case empty

    /// A sentence for the user; never contains key material.
    public var explanation: String {
        switch self {
        case .unreadable(let reason):
            "it is not a readable PEM private key (OpenSSL: \(reason))"
        case .wrongAlgorithm(let name):
            "it is \(Self.article(for: name)) \(name) key, but Apple Maps tokens need an EC P-256 key"
        case .wrongCurve(let curve):
            "it is an EC key on curve \(Self.curveDescription(curve)), but Apple Maps tokens need P-256 (prime256v1)"
        case .invalidKey:
            "it is not a valid P-256 key: its private value is out of range or does not match its public key"
        case .severalKeys(let count):
            "it holds \(count) private keys, and tokenbatch cannot tell which one is meant"
        case .encrypted:
            "it is encrypted, and tokenbatch never asks for a password"
        case .notAPrivateKey(let kind):
            "it holds a \(kind), not a private key"
        case .notPEM:
            "it is not PEM text: there is no `\(PEMText.armour("BEGIN", "PRIVATE KEY"))` line"
        case .truncated:
            "it has a `-----BEGIN` line but no matching `-----END` line, so the text was cut off"
        case .bareBase64:
            "it is base64 without the `\(PEMText.armour("BEGIN", "PRIVATE KEY"))` and "
                + "`\(PEMText.armour("END", "PRIVATE KEY"))` lines"
        case .openSSHFormat:
            "it is in OpenSSH's key format"
        case .empty:
            "it is empty"
        }
    }

    public var hint: String {
        switch self {
        case .encrypted:
            "decrypt it first: openssl pkcs8 -in KEY.p8 -out AuthKey_KEYID.p8 (then protect that file)"
        case .severalKeys:
            "keep only the key whose Key ID the manifest names"
        case .wrongAlgorithm, .wrongCurve, .notAPrivateKey, .invalidKey:
            "use the .p8 file Apple gave you when you created the Maps key"
        case .openSSHFormat:
            "convert a copy to PKCS#8: ssh-keygen -p -N '' -m PKCS8 -f COPY"
        case .unreadable, .notPEM, .truncated, .bareBase64, .empty:
            "use the .p8 file Apple gave you, with its BEGIN and END lines; accepted: \(PEMText.acceptedForms)"
        }
    }

    private static func curveDescription(_ name: String) -> String {
        switch name {
        case "secp384r1": "secp384r1 (P-384)"
        case "secp521r1": "secp521r1 (P-521)"
        case "secp256k1": "secp256k1 (also 256 bits, but a different curve)"
        default: name
        }
    }

    /// "an RSA", "a DSA": the article English uses before a name spelt letter by letter.
    private static func article(for name: String) -> String {
        guard let first = name.uppercased().first else { return "a" }
        return "AEFHILMNORSX".contains(first) ? "an" : "a"
    }
}
