"""The Kubernetes API emulator for the operator's integration tests: kmock (PyPI, pinned
in hack/requirements.txt), run on 127.0.0.1 in a thread of its own, with the gaps that
matter to a client filled in here, as a real kube-apiserver behaves:

- every object gets metadata.uid, creationTimestamp, generation (bumped when spec
  changes) and a resourceVersion from one counter, bumped on every write;
- lists carry kind/apiVersion; /api/v1 discovery says groupVersion v1 (for kubectl);
- a status subresource write changes status only, a write to the object never does;
- the project's CRDs (crds/*.yaml) are served, with the status subresource, and lists
  of them as a server-side Table with the CRDs' printer columns (what `kubectl get`
  asks for), as kube-apiserver renders them;
- a Secret's stringData is merged into data, base64-encoded, and not stored;
- Namespaces are served (kmock takes /api/v1/namespaces/NAME for a namespace prefix),
  each carrying the label kubernetes.io/metadata.name with its name, as on a real cluster.

It also keeps only recent requests (kmock scans its whole request history on every
request, which turns thousands of objects into minutes). What stays missing (and so is proven by the Swift replay tests instead): watch from a
resourceVersion (kmock replays every object as ADDED), bookmarks, 410 Gone, server-side
apply, label and field selectors (the operator filters locally too), garbage collection.
"""
import aiohttp.test_utils
import asyncio
import attrs
import base64
import datetime
import itertools
import json
import re
import pathlib
import threading
import uuid

import kmock
import kmock._internal.parsing as kmock_parsing
import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


@attrs.frozen
class Conflict(kmock.KubernetesError):
    status: int = 409
    reason: str = "Conflict"
    message: str = "the object has been modified; please apply your changes to the latest version and try again"


_parse_path = kmock_parsing.parse_path
NAMESPACE_PATH = re.compile(r"^/api/v1/namespaces(?:/([^/]+))?/?$")


def parse_path(path):
    """kmock's path parser, except that /api/v1/namespaces[/NAME] is the cluster-scoped
    Namespace collection (or one Namespace), not a namespace prefix."""
    match = NAMESPACE_PATH.match(path)
    if match:
        return kmock_parsing.ParsedPath(group="", version="v1", plural="namespaces", name=match.group(1))
    return _parse_path(path)


kmock_parsing.parse_path = parse_path


@attrs.frozen
class Unauthorized(kmock.KubernetesError):
    status: int = 401
    reason: str = "Unauthorized"
    message: str = "Unauthorized"


class Emulator(kmock.KubernetesEmulator):
    _versions = itertools.count(1)
    # Bearer tokens the API accepts (None: every request, as the operator's tests run it).
    tokens = None

    async def _handle(self, request):
        if self.tokens is not None and request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            # kube-apiserver's answer to a request without a credential it accepts.
            raise Unauthorized()
        # kmock keeps every request for assertions and matches each new one by scanning
        # them all: quadratic. Nothing here asserts on past requests; keep the recent ones.
        # (Only requests still being matched matter: a few, as asyncio interleaves them.)
        if len(self._requests) > 8:
            del self._requests[:-4]
        if request.resource is not None and isinstance(request.data, dict):
            self._fill_in(request)
        return await super()._handle(request)

    def _fill_in(self, request):
        data = request.data
        meta = data.setdefault("metadata", {}) if request.action != kmock.action.UPDATE or request.subresource is None else None
        version = str(next(self._versions))
        if request.resource.plural == "namespaces" and meta is not None and (request.name or meta.get("name")):
            # kube-apiserver keeps this label equal to the name on every write.
            labels = meta.get("labels") or {}
            meta["labels"] = {**labels, "kubernetes.io/metadata.name": request.name or meta["name"]}
        if request.resource.plural == "secrets" and "stringData" in data:
            # kube-apiserver merges the write-only stringData into data, base64-encoded.
            encoded = {k: base64.b64encode(v.encode()).decode() for k, v in (data.pop("stringData") or {}).items()}
            data["data"] = {**(data.get("data") or {}), **encoded}
        if request.action == kmock.action.CREATE:
            meta.update(uid=str(uuid.uuid4()), resourceVersion=version, generation=1,
                        creationTimestamp=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            data.pop("status", None) if self._has_status(request.resource) else None
        elif request.action == kmock.action.UPDATE:
            if request.subresource == "status":
                # Only status changes through /status; metadata gets the new version.
                for key in list(data):
                    if key != "status":
                        del data[key]
                data["metadata"] = {"resourceVersion": version}
                return
            current = self._current(request)
            expected = meta.get("resourceVersion")
            if expected is not None and current is not None and expected != current.get("metadata", {}).get("resourceVersion"):
                # Optimistic concurrency: a write naming an old version loses.
                raise Conflict()
            meta["resourceVersion"] = version
            if self._has_status(request.resource):
                data.pop("status", None)
            if "spec" in data:
                if current is not None and _merged(current.get("spec"), data["spec"]) != current.get("spec"):
                    meta["generation"] = current.get("metadata", {}).get("generation", 1) + 1

    def _has_status(self, resource):
        return resource.group == "mcpruntime.org"

    def _current(self, request):
        obj = self.objects._objects.get((request.resource, request.namespace, request.name))
        return obj.raw if obj is not None and not obj.deleted else None

    def _KubernetesEmulator__get_objs(self, request, strict):
        # kmock scans every object of every kind for each request; look one up by its key
        # instead (the same objects are found), so that thousands of objects stay fast.
        data = self.objects._objects
        if request.name is not None and (strict or request.namespace is not None):
            obj = data.get((request.resource, request.namespace, request.name))
            return [obj] if obj is not None else []
        return [obj for (resource, namespace, name), obj in data.items()
                if resource == request.resource and (request.namespace is None or namespace == request.namespace)
                and (request.name is None or name == request.name)]

    async def _serve_version(self, request):
        payload = await super()._serve_version(request)
        payload["groupVersion"] = payload["groupVersion"].lstrip("/")
        return payload

    async def _serve_list(self, request):
        payload = await super()._serve_list(request)
        columns = PRINTER_COLUMNS.get((request.resource.group, request.resource.plural))
        if columns and "as=Table" in request.headers.get("Accept", ""):
            return table(payload["items"], columns)
        resource = request.resource
        kind = next((info.kind for res, info in self.resources.items() if res == resource and info.kind), None)
        payload["kind"] = f"{kind or resource.plural.capitalize()}List"
        payload["apiVersion"] = f"{resource.group}/{resource.version}" if resource.group else resource.version
        payload["metadata"]["resourceVersion"] = str(next(self._versions))
        return payload


def _merged(base, patch):
    """RFC 7386 merge of patch into base, to tell whether a spec write changes the spec."""
    if not isinstance(patch, dict):
        return patch
    result = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merged(result.get(key), value)
    return result


PRINTER_COLUMNS = {}


def table(items, columns):
    """A meta.k8s.io/v1 Table: Name, then the printer columns (dates as ages)."""
    now = datetime.datetime.now(datetime.UTC)

    def cell(item, column):
        value = json_path(item, column["jsonPath"])
        if column["type"] == "date" and value:
            seconds = int((now - datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))).total_seconds())
            return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"
        return "" if value is None else value

    definitions = [{"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}] + [
        {"name": c["name"], "type": c["type"], "format": "", "description": "", "priority": c.get("priority", 0)} for c in columns]
    rows = [{"cells": [item["metadata"]["name"]] + [cell(item, c) for c in columns],
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"]}} for item in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}, "columnDefinitions": definitions, "rows": rows}


def json_path(item, path):
    """The JSONPath forms printer columns use: `.a.b` and `.list[?(@.key=="value")].field`."""
    value = item
    for name, key, wanted in re.findall(r'\.(\w+)(?:\[\?\(@\.(\w+)=="([^"]*)"\)\])?', path):
        value = value.get(name) if isinstance(value, dict) else None
        if key and isinstance(value, list):
            value = next((entry for entry in value if str(entry.get(key)) == wanted), None)
        if value is None:
            return None
    return value


def declare_crds(emulator):
    for path in sorted((ROOT / "crds").glob("mcpruntime.org_*.yaml")):
        crd = yaml.safe_load(path.read_text())
        spec = crd["spec"]
        PRINTER_COLUMNS[(spec["group"], spec["names"]["plural"])] = spec["versions"][0].get("additionalPrinterColumns", [])
        for version in spec["versions"]:
            key = f"{spec['group']}/{version['name']}/{spec['names']['plural']}"
            emulator.resources[key] = kmock.ResourceInfo(
                kind=spec["names"]["kind"], singular=spec["names"]["singular"], shortnames=set(spec["names"].get("shortNames", [])),
                categories=set(spec["names"].get("categories", [])), namespaced=spec["scope"] == "Namespaced",
                verbs={"get", "list", "watch", "create", "update", "patch", "delete"}, subresources={"status"},
            )


class RunningEmulator:
    """kmock on 127.0.0.1:port (or `host`), its event loop in a daemon thread. With `tls`
    (an ssl.SSLContext) it serves https, and with `tokens` (a set, added to while it
    runs) it answers 401 to requests without one of them, as a cluster's API does."""

    def write_kubeconfig(self, path, namespace="default", ca_file=None, token=None):
        """A kubeconfig for this emulator (by default no credentials: it asks for none); `path`."""
        cluster = {"server": self.url, **({"certificate-authority": str(ca_file)} if ca_file else {})}
        path.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "emulator",
            "clusters": [{"name": "emulator", "cluster": cluster}],
            "users": [{"name": "tester", "user": {"token": token} if token else {}}],
            "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "tester", "namespace": namespace}}],
        }))
        return path

    def roll_out(self, namespace, *names):
        """What the Deployment controller would report once the pods run (there is no
        kubelet here): every replica of each Deployment updated and ready."""
        for name in names:
            path = f"{self.url}/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
            deployment = requests.get(path, timeout=5).json()
            replicas = deployment["spec"].get("replicas", 1)
            response = requests.patch(path + "/status", timeout=5, headers={"Content-Type": "application/merge-patch+json"}, data=json.dumps(
                {"status": {"observedGeneration": deployment["metadata"]["generation"], "replicas": replicas,
                            "updatedReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas}}))
            response.raise_for_status()

    def __init__(self, port, host="127.0.0.1", tls=None, tokens=None):
        self.host, self.port, self.tls, self.tokens = host, port, tls, tokens
        self.url = f"{'https' if tls else 'http'}://{host}:{port}"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.failure = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except Exception as error:  # reported to the starting thread
            self.failure = error
            self.ready.set()

    async def _serve(self):
        self.stopping = asyncio.Event()
        async with Emulator() as emulator, kmock.Server(emulator, host=self.host, port=self.port, server_cls=self._server_class()):
            emulator.tokens = self.tokens
            emulator.resources.load_bundled()
            declare_crds(emulator)
            serve_openapi(emulator)
            self.emulator = emulator
            self.ready.set()
            await self.stopping.wait()

    def _server_class(self):
        tls = self.tls

        class Server(aiohttp.test_utils.RawTestServer):
            async def start_server(self, loop=None, **kwargs):
                await super().start_server(loop=loop, ssl=tls, **kwargs)
        return Server

    def start(self):
        self.thread.start()
        self.ready.wait(30)
        if self.failure:
            raise self.failure
        return self

    def stop(self):
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)


# --- OpenAPI, as kube-apiserver publishes it for CRDs (what `kubectl explain` reads) -------
#
# kube-apiserver's CRD OpenAPI builder (apiextensions-apiserver, controller/openapi/builder)
# publishes, per group/version, each served CRD's structural schema as the definition
# `<group reversed>.<version>.<Kind>` (kube-openapi's friendly name:
# mcpruntime.org/v1alpha1.MCPServer -> org.mcpruntime.v1alpha1.MCPServer) and `...<ListKind>`,
# each with `x-kubernetes-group-version-kind`; `metadata` becomes a reference to ObjectMeta,
# `apiVersion` and `kind` get TypeMeta's descriptions; and the resource's paths carry the
# same GVK on every operation (kubectl explain finds the kind through them). OpenAPI v3 is
# served: the discovery document /openapi/v3 and one document per group/version at
# /openapi/v3/apis/GROUP/VERSION. Only CRD groups are published (no built-in kinds: kubectl
# apply of a Namespace, Secret or CRD still needs --validate=false), ObjectMeta and ListMeta
# only with their common fields, and no OpenAPI v2 (kubectl reads it as protobuf). The write
# operations list fieldValidation, as on a real cluster, so kubectl leaves validating a custom
# resource to the server, and the emulator does not validate: unknown fields pass.

OPENAPI_TYPE_META = {
    "apiVersion": {"type": "string", "description": (
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized "
        "schemas to the latest internal value, and may reject unrecognized values. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources")},
    "kind": {"type": "string", "description": (
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the "
        "endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")},
}
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
OPENAPI_META_SCHEMAS = {
    OBJECT_META: {
        "type": "object",
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "properties": {
            "name": {"type": "string", "description": "Name must be unique within a namespace."},
            "namespace": {"type": "string", "description": "Namespace defines the space within which each name must be unique."},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "default": ""},
                       "description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects."},
            "annotations": {"type": "object", "additionalProperties": {"type": "string", "default": ""},
                            "description": "Annotations is an unstructured key value map stored with a resource."},
            "uid": {"type": "string", "description": "UID is the unique in time and space value for this object. Populated by the system."},
            "resourceVersion": {"type": "string", "description": "An opaque value that represents the internal version of this object. Populated by the system."},
            "generation": {"type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state. Populated by the system."},
            "creationTimestamp": {"type": "string", "format": "date-time", "description": "When this object was created. Populated by the system."},
        },
    },
    LIST_META: {
        "type": "object",
        "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
        "properties": {
            "resourceVersion": {"type": "string", "description": "String that identifies the server's internal version of this object."},
            "continue": {"type": "string", "description": "Set when the list was limited and more results are available."},
        },
    },
}


def openapi_definition_name(group, version, kind):
    """kube-openapi's friendly name of a CRD's type: the group's DNS labels reversed."""
    return ".".join(reversed(group.split("."))) + f".{version}.{kind}"


def openapi_crds(emulator):
    """The CRDs to publish: those applied to the emulator (apiextensions.k8s.io/v1), by name
    over the project's declared ones (crds/), as a real cluster would have them."""
    crds = {}
    for path in sorted((ROOT / "crds").glob("mcpruntime.org_*.yaml")):
        crd = yaml.safe_load(path.read_text())
        crds[crd["metadata"]["name"]] = crd
    for (resource, _, name), obj in list(emulator.objects._objects.items()):
        if resource.group == "apiextensions.k8s.io" and resource.plural == "customresourcedefinitions" and not obj.deleted:
            crds[name] = obj.raw
    return list(crds.values())


def openapi_crd_schema(crd, version):
    """What the builder makes of one CRD version's schema (buildKubeNative)."""
    spec = crd["spec"]
    gvk = {"group": spec["group"], "version": version["name"], "kind": spec["names"]["kind"]}
    schema = json.loads(json.dumps(version.get("schema", {}).get("openAPIV3Schema") or {"type": "object"}))
    properties = schema.setdefault("properties", {})
    properties["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}], "default": {}, "description": (
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")}
    properties.update(json.loads(json.dumps(OPENAPI_TYPE_META)))
    schema["x-kubernetes-group-version-kind"] = [gvk]
    list_kind = spec["names"].get("listKind") or spec["names"]["kind"] + "List"
    item_ref = f"#/components/schemas/{openapi_definition_name(spec['group'], version['name'], spec['names']['kind'])}"
    list_schema = {
        "type": "object", "required": ["items"],
        "description": f"{list_kind} is a list of {spec['names']['kind']}",
        "properties": {
            **json.loads(json.dumps(OPENAPI_TYPE_META)),
            "items": {"type": "array", "items": {"$ref": item_ref}, "description": (
                f"List of {spec['names']['plural']}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md")},
            "metadata": {"allOf": [{"$ref": f"#/components/schemas/{LIST_META}"}], "default": {}, "description": (
                "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")},
        },
        "x-kubernetes-group-version-kind": [{**gvk, "kind": list_kind}],
    }
    return gvk, list_kind, schema, list_schema


def openapi_crd_paths(crd, version, gvk, list_kind):
    """The resource's paths and operations, each with the GVK (kubectl explain looks there)."""
    spec = crd["spec"]
    plural, kind = spec["names"]["plural"], gvk["kind"]
    namespaced = spec.get("scope", "Namespaced") == "Namespaced"
    prefix = f"/apis/{spec['group']}/{version['name']}"
    root = f"{prefix}/namespaces/{{namespace}}/{plural}" if namespaced else f"{prefix}/{plural}"
    scope = "Namespaced" if namespaced else ""
    object_ref = {"$ref": f"#/components/schemas/{openapi_definition_name(gvk['group'], gvk['version'], kind)}"}
    list_ref = {"$ref": f"#/components/schemas/{openapi_definition_name(gvk['group'], gvk['version'], list_kind)}"}
    write_params = [{"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                    for name in ("dryRun", "fieldManager", "fieldValidation")]

    def operation(verb, action, subresource, returns, params=()):
        return {"operationId": f"{verb}{scope}{kind}{subresource.capitalize()}", "description": f"{verb} {kind}",
                "parameters": list(params), "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk,
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": returns}}}}}

    paths = {
        root: {"get": operation("list", "list", "", list_ref), "post": operation("create", "post", "", object_ref, write_params),
               "delete": operation("deletecollection", "deletecollection", "", {"type": "object"})},
        f"{root}/{{name}}": {"get": operation("read", "get", "", object_ref), "put": operation("replace", "put", "", object_ref, write_params),
                             "patch": operation("patch", "patch", "", object_ref, write_params),
                             "delete": operation("delete", "delete", "", {"type": "object"})},
    }
    if namespaced:
        paths[f"{prefix}/{plural}"] = {"get": {**operation("list", "list", "", list_ref), "operationId": f"list{kind}ForAllNamespaces"}}
    if "status" in (version.get("subresources") or {}):
        paths[f"{root}/{{name}}/status"] = {"get": operation("read", "get", "status", object_ref),
                                            "put": operation("replace", "put", "status", object_ref, write_params),
                                            "patch": operation("patch", "patch", "status", object_ref, write_params)}
    return paths


def openapi_v3_documents(emulator):
    """`apis/GROUP/VERSION` -> the OpenAPI v3 document of that group/version's served CRDs."""
    documents = {}
    for crd in openapi_crds(emulator):
        spec = crd["spec"]
        for version in spec.get("versions", []):
            if not version.get("served", True):
                continue
            document = documents.setdefault(f"apis/{spec['group']}/{version['name']}", {
                "openapi": "3.0.0", "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"}, "paths": {},
                "components": {"schemas": json.loads(json.dumps(OPENAPI_META_SCHEMAS))}})
            gvk, list_kind, schema, list_schema = openapi_crd_schema(crd, version)
            schemas = document["components"]["schemas"]
            schemas[openapi_definition_name(spec["group"], version["name"], gvk["kind"])] = schema
            schemas[openapi_definition_name(spec["group"], version["name"], list_kind)] = list_schema
            document["paths"].update(openapi_crd_paths(crd, version, gvk, list_kind))
    return documents


def _openapi_hash(document):
    import hashlib
    return hashlib.sha512(json.dumps(document, sort_keys=True).encode()).hexdigest().upper()


def serve_openapi(emulator):
    """Registers /openapi/v3 (discovery: one serverRelativeURL, with the document's hash, per
    group/version) and /openapi/v3/apis/GROUP/VERSION, computed from the CRDs at each request."""

    async def discovery(request):
        return {"paths": {path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={_openapi_hash(document)}"}
                          for path, document in sorted(openapi_v3_documents(emulator).items())}}

    async def group_version(request):
        path = request.url.path.removeprefix("/openapi/v3/").strip("/")
        document = openapi_v3_documents(emulator).get(path)
        if document is None:
            raise kmock.KubernetesNotFoundError(message=f"no OpenAPI v3 document for {path}")
        return document

    emulator["get /openapi/v3"] << discovery
    emulator["get", re.compile(r"^/openapi/v3/apis/[^/]+/[^/]+/?$")] << group_version
