import AsyncHTTPClient
import Foundation
import KubeCore
import MCPAuth
import NIOCore

/// The issuer's RFC 8414 / OpenID Connect metadata, found in the MCP spec's discovery
/// order with its `issuer` checked character for character, and cached stale-while-
/// revalidate (`RevalidatingCache`: refreshed in the background, served while the issuer
/// is unreachable up to the maximum staleness, fetched at most once per interval).
/// Shared by the JWKS source (`jwks_uri`), introspection (`introspection_endpoint`) and
/// token exchange (`token_endpoint`).
final class AuthorizationServerMetadata: Sendable {
    let issuer: String
    private let cache: RevalidatingCache<[String: JSONValue]>

    init(issuer: String, http: IssuerHTTP, policy: RevalidatingCache<[String: JSONValue]>.Policy, clock: any IssuerClock = ContinuousIssuerClock()) {
        self.issuer = issuer
        cache = RevalidatingCache(policy: policy, clock: clock) { [http] in
            try await Self.discover(issuer: issuer, http: http)
        }
    }

    /// The URL of an endpoint the metadata names (`jwks_uri`, `introspection_endpoint`, …).
    func endpoint(_ member: String) async throws -> String {
        guard let location = try await cache.value()[member]?.stringValue else {
            throw IssuerError("the metadata of \(issuer) has no \(member)")
        }
        return location
    }

    private static func discover(issuer: String, http: IssuerHTTP) async throws -> [String: JSONValue] {
        var problems: [String] = []
        for candidate in AuthorizationServerDiscovery.metadataCandidates(issuer: issuer) {
            do {
                guard case .object(let document) = try await http.getJSON(candidate) else {
                    problems.append("\(candidate): not a JSON object")
                    continue
                }
                guard document["issuer"]?.stringValue == issuer else {
                    problems.append("\(candidate): issuer does not match")
                    continue
                }
                return document
            } catch {
                problems.append("\(candidate): \(error)")
            }
        }
        throw IssuerError("no usable authorization server metadata for \(issuer): \(problems.joined(separator: "; "))")
    }
}

/// Why the issuer could not be asked; safe to log (never a token or a secret).
struct IssuerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// JSON over HTTP with the issuer: GETs for metadata and keys, form POSTs with HTTP Basic
/// client authentication (RFC 6749 §2.3.1) for introspection and token exchange.
struct IssuerHTTP: Sendable {
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(10)
    var maxBody = 1 << 20

    func get(_ url: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await send(request)
        guard status == 200 else { throw IssuerError("\(url): HTTP \(status)") }
        return body
    }

    func getJSON(_ url: String) async throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try await get(url))
    }

    /// POSTs the form; returns the status and the body's JSON object (empty if none).
    func postForm(_ url: String, _ fields: [(String, String)], credentials: (id: String, secret: String)) async throws -> (status: Int, body: [String: JSONValue]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let basic = "\(Self.formEncode(credentials.id)):\(Self.formEncode(credentials.secret))"
        request.headers.add(name: "Authorization", value: "Basic \(Data(basic.utf8).base64EncodedString())")
        let form = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await send(request)
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: body) else { return (status, [:]) }
        return (status, members)
    }

    private func send(_ request: HTTPClientRequest) async throws -> (Int, Data) {
        let response = try await client.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: maxBody)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    /// application/x-www-form-urlencoded: unreserved characters as they are, the rest %XX.
    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
