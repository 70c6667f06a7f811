extension StringProtocol {
    /// Equal when ASCII letters are compared without case: how header names, auth schemes
    /// and other protocol tokens compare (RFC 9110 §5.1, §11.1). Compares bytes, without
    /// building lowercased copies.
    public func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
    }
}

private func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
}
