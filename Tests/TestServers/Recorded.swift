/// Kubernetes API response bodies, as a real kube-apiserver sends them.
public enum Recorded {
    public static func configMap(_ name: String, rv: String, data: String = "a") -> String {
        #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"\#(name)","namespace":"team-a","uid":"6d1c-\#(name)","resourceVersion":"\#(rv)","creationTimestamp":"2026-11-30T10:00:00Z"},"data":{"k":"\#(data)"}}"#
    }

    public static func status(_ code: Int, reason: String, message: String, details: String = "{}") -> String {
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","details":\#(details),"code":\#(code)}"#
    }

    public static let notFound = status(404, reason: "NotFound", message: #"configmaps \"missing\" not found"#, details: #"{"name":"missing","kind":"configmaps"}"#)
    public static let conflict = status(409, reason: "Conflict", message: #"Operation cannot be fulfilled on configmaps \"weather\": the object has been modified; please apply your changes to the latest version and try again"#, details: #"{"name":"weather","kind":"configmaps"}"#)
    public static let invalid = status(422, reason: "Invalid", message: #"ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"#,
                                details: #"{"name":"Bad_Name","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain","field":"metadata.name"}]}"#)
    public static let forbidden = status(403, reason: "Forbidden", message: #"configmaps is forbidden: User \"system:serviceaccount:mcp-runtime:operator\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"kube-system\""#, details: #"{"kind":"configmaps"}"#)
    public static let unavailable = status(503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request")
    public static let expired = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (2500)","reason":"Expired","code":410}}"#
}
