import Yams

/// Writes objects as multi-document YAML with sorted keys: byte-identical for equal input.
public enum ManifestWriter {
    public static func yaml<T: Encodable>(_ objects: [T], header: (Int) -> String? = { _ in nil }) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        encoder.options.width = -1
        encoder.options.newLineScalarStyle = .literal
        var output = ""
        for (index, object) in objects.enumerated() {
            output += "---\n"
            if let comment = header(index) { output += "# \(comment)\n" }
            output += try encoder.encode(object)
        }
        return output
    }
}
