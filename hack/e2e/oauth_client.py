"""The official MCP Python SDK client (PyPI `mcp`, pinned) driven through the OAuth flow
with no help: `OAuthClientProvider` discovers everything from the proxy's 401. The only
thing done here is what a browser and a person would do: open the authorization URL and
log in at nanoidp's form (testuser/test123), then hand the redirect's code back."""
import re
import urllib.parse

import httpx2
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT = "http://127.0.0.1:1/callback"  # never contacted: the code is read from the 302


class MemoryStorage(TokenStorage):
    def __init__(self):
        self.tokens = None
        self.client = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class HeadlessLogin:
    """Redirect and callback handlers: each authorization is logged in at the form."""

    def __init__(self, username="testuser", password="test123", exchange=None):
        self.username, self.password = username, password
        self.exchange = exchange
        self.authorizations = []  # the query of each authorization request
        self._result = None

    async def redirect(self, url: str) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        self.authorizations.append(query)
        async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as browser:
            answer = await browser.get(url)
            if answer.status_code != 302:
                match = re.search(r'name="transaction_id"\s+value="([^"]+)"', answer.text) or re.search(r'value="([^"]+)"\s+name="transaction_id"', answer.text)
                if not match:
                    raise RuntimeError(f"no login form at the authorization endpoint ({answer.status_code})")
                answer = await browser.post(url.split("?")[0], data={"transaction_id": match.group(1), "username": self.username, "password": self.password})
            location = answer.headers.get("location", "")
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
            if "code" not in params:
                raise RuntimeError(f"the login did not redirect with a code ({answer.status_code} {location[:120]})")
            self._result = AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))
        if self.exchange is not None:
            shown = {key: query[key] for key in ("scope", "resource", "code_challenge_method") if key in query}
            self.exchange.items.append({"method": "GET", "url": url.split("?")[0] + "?" + urllib.parse.urlencode(shown) + "&… (login as " + self.username + ")",
                                        "status": 302, "challenge": None, "authorization": False})

    async def callback(self) -> AuthorizationCodeResult:
        result, self._result = self._result, None
        return result


class Exchange:
    """Every HTTP exchange the client makes, in order, for narration and checks."""

    def __init__(self):
        self.items = []

    async def request(self, request):
        form = {}
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
        self.items.append({"method": request.method, "url": str(request.url), "status": None, "challenge": None,
                           "authorization": "Authorization" in request.headers, "grant": form.get("grant_type"), "resource": form.get("resource")})

    async def response(self, response):
        for item in reversed(self.items):
            if item["url"] == str(response.request.url) and item["status"] is None:
                item["status"] = response.status_code
                item["challenge"] = response.headers.get("www-authenticate")
                break


def pre_registered(client_id, secret, issuer):
    """Client credentials an administrator registered beforehand (the spec's pre-registration)."""
    storage = MemoryStorage()
    storage.client = OAuthClientInformationFull(client_id=client_id, client_secret=secret, redirect_uris=[REDIRECT],
                                                token_endpoint_auth_method="client_secret_post",
                                                grant_types=["authorization_code", "refresh_token"], response_types=["code"], issuer=issuer)
    return storage


def provider(url, storage, login):
    metadata = OAuthClientMetadata(client_name="mcp-runtime e2e", redirect_uris=[REDIRECT], grant_types=["authorization_code", "refresh_token"],
                                   response_types=["code"], token_endpoint_auth_method="client_secret_post")
    return OAuthClientProvider(server_url=url, client_metadata=metadata, storage=storage, redirect_handler=login.redirect, callback_handler=login.callback)


async def session_calls(url, auth, exchange, calls):
    """initialize, tools/list, each (tool, arguments) of `calls`, tools/list again: the
    answer to initialize, the tools listed first, the results in order, the tools listed last."""
    hooks = {"request": [exchange.request], "response": [exchange.response]}
    async with httpx2.AsyncClient(auth=auth, event_hooks=hooks, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                info = await session.initialize()
                tools = await session.list_tools()
                results = [await session.call_tool(name, arguments) for name, arguments in calls]
                after = await session.list_tools()
                return info, [tool.name for tool in tools.tools], results, [tool.name for tool in after.tools]
