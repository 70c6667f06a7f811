// Typed wrappers for libcurl's variadic curl_easy_setopt, which Swift
// cannot call directly. One function per argument type; nothing else lives here.
#ifndef MCP_RUNTIME_CCURL_SHIM_H
#define MCP_RUNTIME_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*mcp_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*mcp_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode mcp_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mcp_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mcp_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mcp_curl_set_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
/// Copies the bytes (CURL_BLOB_COPY), so the caller's buffer may go away afterwards.
static inline CURLcode mcp_curl_set_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(handle, option, &blob);
}
static inline CURLcode mcp_curl_set_data_callback(CURL *handle, CURLoption option, mcp_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
static inline CURLcode mcp_curl_set_progress_callback(CURL *handle, mcp_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
#endif
