import Foundation

/// What the fuzz targets share. Each target defines `LLVMFuzzerTestOneInput`; built with
/// `--sanitize fuzzer` (hack/fuzz.sh) libFuzzer drives it, built normally (`swift build`)
/// its `main` replays files through it: `.build/debug/FuzzJSONRPC crash-1234 corpus/`.
public enum Fuzz {
    /// Stops the run when an invariant does not hold: libFuzzer reports a crash and saves the input.
    public static func require(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
    ) {
        guard !condition() else { return }
        fatalError("fuzz invariant violated: \(message())", file: file, line: line)
    }

    /// The input libFuzzer passes, as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Runs every file named on the command line (directories: each file in them, sorted)
    /// through `body` once, for replaying a crash or a corpus without the sanitizers.
    public static func replay(_ body: ([UInt8]) -> Void) {
        let arguments = CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("-") }
        if arguments.isEmpty {
            print("usage: \(CommandLine.arguments[0]) FILE-OR-DIRECTORY...  (replays each input once; hack/fuzz.sh fuzzes)")
            return
        }
        var count = 0
        for argument in arguments {
            for file in files(argument) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    exit(2)
                }
                body(Array(data))
                count += 1
            }
        }
        print("\(count) inputs ran without a crash or invariant violation")
    }

    private static func files(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    }

    /// Splits an input at `\n` into lines (a `\r` before it kept), at most `limit` of them, the last one taking the rest.
    public static func lines(_ bytes: [UInt8], limit: Int = .max) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n"), maxSplits: limit - 1, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// A header line `name: value` as a server hands it over: split at the first `:` byte,
    /// the value's surrounding spaces and tabs trimmed; a line without `:` is a name with an empty value.
    public static func header(_ line: String) -> (name: String, value: String) {
        let bytes = Array(line.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return (name: line, value: "") }
        var value = bytes[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        return (name: String(decoding: bytes[..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    /// ASCII letters lowercased, nothing else changed: how HTTP compares names.
    public static func asciiLowercased(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
